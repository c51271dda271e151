// The count of customers per tag reads every customer the filter finds, so the list fetches it on its own, when
// the tag filter is opened (it opens by itself when tags are chosen); the list itself does not wait for it.
for (const details of document.querySelectorAll('details[data-tag-counts-url]')) {
  let state = 'idle';
  const load = async () => {
    if (state !== 'idle' || !details.open) return;
    state = 'loading';
    try {
      const res = await fetch(details.dataset.tagCountsUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const { tagCounts } = await res.json();
      for (const span of details.querySelectorAll('[data-tag-count]')) span.textContent = String(tagCounts[span.dataset.tagCount] ?? 0);
      details.dataset.tagCountsLoaded = 'true';
      state = 'done';
    } catch {
      state = 'idle'; // opened again, it tries again
    }
  };
  details.addEventListener('toggle', load);
  void load();
}
