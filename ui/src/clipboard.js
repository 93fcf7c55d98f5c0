// The clipboard, for every step's Copy buttons.

/** Copies `text`; without a clipboard, selects `input` so Ctrl+C works. `button` says which. */
export async function copyText(text, button, input) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    if (input) input.select();
    button.textContent = "Selected: press Ctrl+C";
  }
}
