// Keep the preview up to date: hear of each rebuild by server-sent events, fetch the
// new pages, wait until their pictures are decoded, then swap them in place, so the
// page neither flickers nor moves.
"use strict";

(() => {
  const live = document.getElementById("live");
  let shown = live.dataset.version;
  let wanted = shown;
  let busy = false;

  let zoom = remembered("brochure-zoom") || "page";
  showZoom();
  document.addEventListener("click", (event) => {
    const zoomButton = event.target.closest("button[data-zoom]");
    if (zoomButton) {
      zoom = zoomButton.dataset.zoom;
      remember("brochure-zoom", zoom);
      showZoom();
    }
    const fold = event.target.closest(".banner .fold");
    if (fold) {
      const folded = fold.closest(".banner").classList.toggle("folded");
      fold.setAttribute("aria-expanded", String(!folded));
      fold.textContent = folded ? "Show" : "Hide";
    }
  });

  const events = new EventSource("/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    document.body.classList.remove("stopped");
    document.body.classList.toggle("building", state.building);
    // Compared with what is shown, not what was last announced: a refresh that
    // failed (the server restarting, say) is tried again on the next event.
    if (state.version !== shown) {
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
    document.documentElement.dataset.zoom = zoom;
    for (const button of document.querySelectorAll("button[data-zoom]")) {
      button.setAttribute("aria-pressed", String(button.dataset.zoom === zoom));
    }
  }

  // The browser may refuse storage (private windows, strict settings): then nothing is kept.
  function remembered(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  function remember(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // kept for this page only
    }
  }

  // Decoded pictures, or after a few seconds whatever has come: never wait forever.
  function pictures(root) {
    const decoded = Array.from(root.querySelectorAll("img"), (img) => img.decode().catch(() => {}));
    const patience = new Promise((resolve) => setTimeout(resolve, 4000));
    return Promise.race([Promise.all(decoded), patience]);
  }
})();
