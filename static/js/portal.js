// Portal behaviour that htmx attributes cannot express (the CSP allows no
// inline script). Polls ([data-poll]) pause while the tab is hidden: a
// thread in a background tab neither marks messages read nor costs queries.
document.addEventListener("htmx:confirm", function (event) {
  if (document.hidden && event.detail.elt.hasAttribute("data-poll")) {
    event.preventDefault();
  }
});
