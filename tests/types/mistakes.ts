// Must NOT compile: each line is a mistake the types catch (tests/e2e/types.test.mjs expects one
// error per line marked MISTAKE).
import { createCollector } from "../../pkg/index.js";

const mse = createCollector({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy" });
mse.context.setProduct({ productId: "1", name: "Tee", sku: "MS10" }); // MISTAKE: productId is a number
mse.publish.searchRequestSent(); // MISTAKE: the search unit id is required
mse.publish.addToCard(); // MISTAKE: no such method
createCollector({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy", edgeConfigId: "x" }); // MISTAKE: unknown field
mse.consent.set("maybe"); // MISTAKE: not a consent state
mse.subscribe.diagnostic((d) => { if (d.code === "missing-contxt") return; }); // MISTAKE: no such diagnostic code
mse.subscribe.addToCart((e) => console.log(e), { scope: "later" }); // MISTAKE: no such scope
