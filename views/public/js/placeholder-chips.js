// Placeholder chips (views/partials/placeholder-chips.hbs): a tap inserts the chip's placeholder where the cursor was
// in the field the chips belong to, replacing a selection, and leaves the cursor after it. A module, so a page with
// several chip rows runs it once; no inline script under the CSP.
document.addEventListener('click', (event) => {
  const chip = event.target instanceof Element ? event.target.closest('[data-insert]') : null;
  const row = chip?.closest('[data-placeholder-target]');
  if (!chip || !row) return;
  const field = document.getElementById(row.getAttribute('data-placeholder-target') ?? '');
  if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return;
  const token = chip.getAttribute('data-insert') ?? '';
  // A field never focused has its cursor at the start; the end is where people expect an insertion then.
  const untouched = field !== document.activeElement && field.selectionStart === 0 && field.selectionEnd === 0 && field.dataset.chipsTouched !== 'true';
  const start = untouched ? field.value.length : (field.selectionStart ?? field.value.length);
  const end = untouched ? start : (field.selectionEnd ?? start);
  field.focus();
  field.setRangeText(token, start, end, 'end');
  field.dataset.chipsTouched = 'true';
  // Listeners of the field (counters, previews) hear about the change as they would of typing.
  field.dispatchEvent(new Event('input', { bubbles: true }));
});

// A field the person has clicked or typed in keeps its cursor, even at the very start.
document.addEventListener('focusin', (event) => {
  const field = event.target;
  if (
    (field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) &&
    document.querySelector(`[data-placeholder-target="${CSS.escape(field.id)}"]`)
  )
    field.dataset.chipsTouched = 'true';
});
