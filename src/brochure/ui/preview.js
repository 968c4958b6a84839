// Keep the preview up to date: hear of each rebuild by server-sent events, fetch the
// new pages, wait until their pictures are decoded, then swap them in place, so the
// page neither flickers nor moves.
"use strict";

(() => {
  const live = document.getElementById("live");
  let shown = live.dataset.version;
  let wanted = shown;
  let busy = false;

  const zoom = { get: () => localStorage.getItem("brochure-zoom") || "page" };
  showZoom();
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-zoom]");
    if (!button) return;
    localStorage.setItem("brochure-zoom", button.dataset.zoom);
    showZoom();
  });

  const events = new EventSource("/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    document.body.classList.remove("stopped");
    document.body.classList.toggle("building", state.building);
    if (state.version !== wanted) {
      wanted = state.version;
      refresh();
    }
  });
  events.addEventListener("error", () => {
    document.body.classList.add("stopped");
    document.body.classList.remove("building");
  });

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      while (shown !== wanted) {
        const asked = wanted;
        shown = await swapIn();
        // If no newer build was announced meanwhile, what came is the latest.
        if (wanted === asked) wanted = shown;
      }
    } catch (error) {
      console.error("preview: could not refresh", error);
    } finally {
      busy = false;
    }
  }

  async function swapIn() {
    const response = await fetch("/live", { cache: "no-store" });
    if (!response.ok) throw new Error(`GET /live: ${response.status}`);
    const version = response.headers.get("X-Preview-Version");
    const next = document.createElement("div");
    next.innerHTML = await response.text();
    await pictures(next);
    const x = window.scrollX;
    const y = window.scrollY;
    live.replaceChildren(...next.childNodes);
    live.dataset.version = version;
    showZoom();
    window.scrollTo(x, y);
    return version;
  }

  function showZoom() {
    const chosen = zoom.get();
    document.documentElement.dataset.zoom = chosen;
    for (const button of document.querySelectorAll("button[data-zoom]")) {
      button.setAttribute("aria-pressed", String(button.dataset.zoom === chosen));
    }
  }

  // Decoded pictures, or after a few seconds whatever has come: never wait forever.
  function pictures(root) {
    const decoded = Array.from(root.querySelectorAll("img"), (img) => img.decode().catch(() => {}));
    const patience = new Promise((resolve) => setTimeout(resolve, 4000));
    return Promise.race([Promise.all(decoded), patience]);
  }
})();
