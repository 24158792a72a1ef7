/* shomei: the hosted checkout's confirmation page tells the hosting panel that opened it
 * (shomei-embed.js) that the order was placed. The message goes to the panel's origin only
 * (the origin of the session's success_url): no other window can read it. */
(function () {
  "use strict";
  var done = document.getElementById("shomei-checkout-complete");
  var panel = window.opener || (window.parent !== window ? window.parent : null);
  if (!done || !panel) { return; }
  panel.postMessage({
    type: "shomei:checkout.completed",
    session: done.dataset.session,
    order_id: Number(done.dataset.order),
    payment: done.dataset.payment
  }, done.dataset.origin);
})();
