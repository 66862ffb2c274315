// Keeps an import's progress up to date in place while it runs. Without JavaScript the page's
// "Check progress" link does the same by reloading it.
const region = document.querySelector("[data-import-running]");
if (region) {
  const poll = async () => {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-import-running]");
    if (!fresh) {
      window.location.reload(); // finished or refused: show the outcome
      return;
    }
    region.innerHTML = fresh.innerHTML;
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
