// Copy buttons: data-copy-target names the field whose text is copied (no inline script under the CSP).
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy-target]') : null;
  if (!button) return;
  const field = document.getElementById(button.getAttribute('data-copy-target'));
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // Without clipboard access the selected text can still be copied by hand.
    document.execCommand('copy');
  }
  const label = button.textContent;
  button.textContent = button.getAttribute('data-copied-label') || label;
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
});
