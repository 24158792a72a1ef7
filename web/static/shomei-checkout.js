/* shomei: the hosted checkout's confirmation page tells the hosting panel that opened it
 * (shomei-embed.js) that the order is done, when the customer has seen what to do next.
 *
 * The page never reports on load: the bank-transfer details or the card payment's outcome
 * (after 3-D Secure) stay in front of the customer until they press "back to the control
 * panel". That press posts the completion to the panel's origin only (the origin of the
 * session's success_url): no other window can read it; the panel then closes this window.
 * Without an opener (the popup was blocked) or without JavaScript the link simply leads to
 * success_url. */
(function () {
  "use strict";
  var done = document.getElementById("shomei-checkout-complete");
  var panel = window.opener || (window.parent !== window ? window.parent : null);
  if (!done || !panel) { return; }
  done.addEventListener("click", function (event) {
    event.preventDefault();
    panel.postMessage({
      type: "shomei:checkout.completed",
      session: done.dataset.session,
      order_id: Number(done.dataset.order),
      payment: done.dataset.payment
    }, done.dataset.origin);
  });
})();
