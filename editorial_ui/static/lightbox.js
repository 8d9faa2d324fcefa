// The photo lightbox is a CSS :target (tip_media.html), so it opens and closes without a script.
// With one, Escape closes it too, the focus goes into it when it opens, and back to the photo
// that opened it when it closes: a keyboard editor stays where they were in the conversation.
"use strict";

(() => {
  function lightboxOf(url) {
    const id = decodeURIComponent(new URL(url).hash.slice(1));
    const box = id && document.getElementById(id);
    return box && box.classList.contains("lightbox") ? box : null;
  }

  window.addEventListener("hashchange", (event) => {
    const opened = lightboxOf(event.newURL);
    const closed = lightboxOf(event.oldURL);
    if (opened) opened.querySelector(".lightbox-close").focus();
    else if (closed) {
      const photo = document.querySelector(`a.photo[href="#${CSS.escape(closed.id)}"]`);
      if (photo) photo.focus();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !document.querySelector(".lightbox:target")) return;
    event.preventDefault();
    location.hash = "close";  // what the lightbox's own close link does
  });
})();
