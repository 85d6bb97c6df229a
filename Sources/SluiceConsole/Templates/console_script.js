// Live parts of a page: an element with data-live="URL" is replaced by each `fragment`
// event of that server-sent event stream (held back while someone types in one of its
// fields); an `end` event closes the stream.
for (const element of document.querySelectorAll("[data-live]")) {
  const source = new EventSource(element.dataset.live);
  let held = null;
  const typing = () => element.contains(document.activeElement) && document.activeElement.matches("input, textarea, select");
  source.addEventListener("fragment", (event) => {
    if (typing()) held = event.data;
    else {
      element.innerHTML = event.data;
      countDown();
    }
  });
  element.addEventListener("focusout", () => {
    setTimeout(() => {
      if (held !== null && !typing()) {
        element.innerHTML = held;
        held = null;
        countDown();
      }
    }, 0);
  });
  source.addEventListener("end", () => source.close());
}
// Deadlines count down in place: an element with data-deadline="ms since the epoch".
function countDown() {
  for (const element of document.querySelectorAll("[data-deadline]")) {
    const left = Math.max(0, Math.round((Number(element.dataset.deadline) - Date.now()) / 1000));
    const text = left >= 3600
      ? `${Math.floor(left / 3600)} h ${Math.floor(left % 3600 / 60)} min left`
      : left >= 60
      ? `${Math.floor(left / 60)} min ${left % 60} s left`
      : `${left} s left`;
    element.textContent = text;
  }
}
countDown();
setInterval(countDown, 1000);
