// Shared by the fault-matrix pages: keeps every diagnostic (window.diagnostics, and the test's
// window.__record when exposed, so they survive reloads) and publishes tagged page views.
window.mse = window.magentoStorefrontEvents;
window.diagnostics = [];
mse.subscribe.diagnostic((d) => {
  window.diagnostics.push(d);
  if (typeof window.__record === "function") window.__record(d);
});
/** Publishes `n` page views named `${tag}#${i}` (i from `from`); the store is queried by that name. */
window.publishTagged = (tag, n, from = 0) => {
  for (let i = from; i < from + n; i++) mse.publish.pageView({ web: { webPageDetails: { name: tag + "#" + i } } });
};
