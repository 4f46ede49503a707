// Compiles against pkg/index.d.ts: the typed API as a storefront engineer writes it.
import { createCollector, createStorefrontEvents, ConfigError, type StorefrontEvents, type Diagnostic } from "../../pkg/index.js";

const mse: StorefrontEvents = createCollector({
  imsOrgId: "1234@AdobeOrg",
  datastreamId: "ds-1",
  datasetId: "set-1",
  edgeDomain: "data.example.com",
  consent: { default: "pending", gpc: true, tcf: { purposes: [1], vendor: 565 }, edge: true },
  outbox: { maxEvents: 500 },
});
mse.context.setStorefrontInstance({
  environmentId: "env", environment: "Production", storeUrl: "https://shop.example.com", websiteId: 1, storeId: 1,
  storeViewId: 1, websiteName: "Main", storeName: "Main", storeViewName: "Default", baseCurrencyCode: "USD",
  storeViewCurrencyCode: "USD", storeViewCode: "default",
});
mse.context.setProduct({ productId: 1, name: "Tee", sku: "MS10", pricing: { regularPrice: 24, specialPrice: 19.2, currencyCode: "USD" } });
mse.context.setShoppingCart({ id: "c1", totalQuantity: 0, items: [] });
mse.context.setSearchInput({ units: [{ searchUnitId: "s", searchRequestId: "r", queryTypes: ["products"], phrase: "tee", pageSize: 12, currentPage: 1, filter: [{ attribute: "color", eq: "red" }], sort: [] }] });
mse.context.setAccount({ emailAddress: "shopper@example.com", accountId: "42" });
const sku: string | undefined = mse.context.getProduct()?.sku;
mse.publish.productPageView();
mse.publish.searchRequestSent("s");
mse.publish.recsItemClick("unit", 7, { extra: true });
mse.subscribe.addToCart((e) => console.log(e.event, e.eventInfo));
mse.subscribe.diagnostic((d: Diagnostic) => console.log(d.code, d.path));
mse.subscribe.pageView((e) => console.log(e.eventInfo), { scope: "future" });
mse.subscribe.dataLayerChange((change) => console.log(change), { scope: "past" });
mse.unsubscribe.addToCart((e) => console.log(e.event));
mse.consent.set({ standard: "Adobe", version: "1.0", value: { general: "in" } });
const state: "in" | "out" | "pending" | undefined = mse.consent.get();
const dropIn = createStorefrontEvents({ debug: true });
dropIn.context.setAEP({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy" });
try {
  createCollector({ imsOrgId: "1234" });
} catch (e) {
  if (e instanceof ConfigError) console.log(e.field);
}
void sku;
void state;
