// A composer's reach preview: the page shows it for the audience it opened with; when the audience fields change
// (tags, stores, kind), the same service is asked again through data-reach-url. Only the newest answer is shown.
for (const form of document.querySelectorAll('form[data-reach-url]')) {
  const box = form.querySelector('[data-reach-preview]');
  const sentence = box && box.querySelector('[data-reach-sentence]');
  if (!sentence) continue;
  const fields = (form.dataset.reachFields || '').split(/\s+/).filter(Boolean);
  let asked = 0;
  const refresh = async () => {
    const params = new URLSearchParams();
    for (const element of form.elements) {
      if (!fields.includes(element.name) || element.disabled) continue;
      if ((element.type === 'checkbox' || element.type === 'radio') && !element.checked) continue;
      params.append(element.name, element.value);
    }
    const mine = ++asked;
    box.setAttribute('aria-busy', 'true');
    sentence.textContent = box.dataset.refreshing || '';
    try {
      const res = await fetch(`${form.dataset.reachUrl}?${params}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const reach = await res.json();
      if (mine !== asked) return;
      sentence.textContent = reach.sentence;
      box.dataset.reached = String(reach.reached);
    } catch {
      if (mine === asked) sentence.textContent = box.dataset.failed || '';
    } finally {
      if (mine === asked) box.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('change', (event) => {
    if (event.target instanceof Element && fields.includes(event.target.getAttribute('name'))) void refresh();
  });
}
