// The error page's way back. Browsers send no Referer here (Referrer-Policy: no-referrer), so the server cannot
// name the previous page; the tab's own history can. A link the server could fill is left to work as a link.
for (const link of document.querySelectorAll('[data-history-back]')) {
  if (link.hidden && window.history.length > 1) link.hidden = false;
  link.addEventListener('click', (event) => {
    if (link.getAttribute('href') !== '#' || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
}
