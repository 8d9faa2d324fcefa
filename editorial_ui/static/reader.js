// The reader's conversation shows the desk's answers as they come: when the count of messages
// changes, the page reloads, unless the reader is in the middle of writing.
(function () {
  const thread = document.querySelector(".thread[data-updates]");
  if (!thread) return;
  const known = Number(thread.dataset.count);
  const writing = () => Array.from(document.querySelectorAll("textarea")).some((t) => t.value);
  setInterval(async () => {
    try {
      const answer = await fetch(thread.dataset.updates, { cache: "no-store" });
      if (!answer.ok) return;
      const { messages } = await answer.json();
      if (messages !== known && !writing()) window.location.reload();
    } catch (_) { /* offline for a moment: try again at the next tick */ }
  }, 4000);
})();
