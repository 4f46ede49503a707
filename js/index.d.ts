// Types for the `storefront-collector` npm package (ES module entry) and for
// `window.magentoStorefrontEvents` created by `storefront-events.js`.

/** Experience Platform configuration, as on the Commerce "Experience Platform connector" page. */
export interface AepContext {
  /** IMS organization id, ending in `@AdobeOrg`. */
  imsOrgId: string;
  /** Datastream id; required unless `webSdkName` names an alloy instance already on the page. */
  datastreamId?: string;
  /** Global name of the site's alloy instance; events are handed to it. */
  webSdkName?: string;
  /** First-party Edge domain (CNAME), default `edge.adobedc.net`. */
  edgeDomain?: string;
  /** Dataset id, sent as a datastream override (direct mode). */
  datasetId?: string;
  /** Edge base path, default `ee`. */
  edgeBasePath?: string;
  /** Consent settings. */
  consent?: ConsentSettings;
  /** Custom identities, `{namespace: [{id, primary}]}`; the array form is accepted and regrouped. */
  identityMap?: Record<string, Array<{ id: string; primary?: boolean; authenticatedState?: string }>> | Array<{ id: string; primary?: boolean; namespace?: string | { code: string } }>;
}

/** Which destinations receive events. AEP is off unless `aep` is `true`. */
export interface EventForwardingContext {
  commerce?: boolean;
  aep?: boolean;
}

/** The page being viewed. */
export interface PageContext {
  pageType: string;
  pageName?: string;
  eventType?: "pageUnload" | "visibilityHidden";
  [field: string]: unknown;
}

/** Any other context: a JSON object as the reference SDK documents it. */
export type AnyContext = Record<string, unknown>;

export interface ContextApi {
  setAEP(context: AepContext | null | undefined): void;
  getAEP(): AepContext | undefined;
  setEventForwarding(context: EventForwardingContext | null | undefined): void;
  getEventForwarding(): EventForwardingContext | undefined;
  setPage(context: PageContext | null | undefined): void;
  getPage(): PageContext | undefined;
  setAccount(context: AnyContext | null | undefined): void;
  getAccount(): AnyContext | undefined;
  setCategory(context: AnyContext | null | undefined): void;
  getCategory(): AnyContext | undefined;
  setChangedProducts(context: AnyContext | null | undefined): void;
  getChangedProducts(): AnyContext | undefined;
  setChannel(context: AnyContext | null | undefined): void;
  getChannel(): AnyContext | undefined;
  setCustom(context: AnyContext | null | undefined): void;
  getCustom(): AnyContext | undefined;
  setCustomUrl(context: AnyContext | null | undefined): void;
  getCustomUrl(): AnyContext | undefined;
  setDataServicesExtension(context: AnyContext | null | undefined): void;
  getDataServicesExtension(): AnyContext | undefined;
  setDebug(context: { eventId?: string } | null | undefined): void;
  getDebug(): { eventId?: string } | undefined;
  setExperiencePlatformConnectorExtension(context: AnyContext | null | undefined): void;
  getExperiencePlatformConnectorExtension(): AnyContext | undefined;
  setMagentoExtension(context: AnyContext | null | undefined): void;
  getMagentoExtension(): AnyContext | undefined;
  setOrder(context: AnyContext | null | undefined): void;
  getOrder(): AnyContext | undefined;
  setOrderPage(context: AnyContext | null | undefined): void;
  getOrderPage(): AnyContext | undefined;
  setProduct(context: AnyContext | null | undefined): void;
  getProduct(): AnyContext | undefined;
  setRecommendations(context: AnyContext | null | undefined): void;
  getRecommendations(): AnyContext | undefined;
  setRecommendationsExtension(context: AnyContext | null | undefined): void;
  getRecommendationsExtension(): AnyContext | undefined;
  setReferrerUrl(context: AnyContext | null | undefined): void;
  getReferrerUrl(): AnyContext | undefined;
  setRequisitionList(context: AnyContext | null | undefined): void;
  getRequisitionList(): AnyContext | undefined;
  setRequisitionListItems(context: AnyContext | null | undefined): void;
  getRequisitionListItems(): AnyContext | undefined;
  setSearchExtension(context: AnyContext | null | undefined): void;
  getSearchExtension(): AnyContext | undefined;
  setSearchInput(context: AnyContext | null | undefined): void;
  getSearchInput(): AnyContext | undefined;
  setSearchResults(context: AnyContext | null | undefined): void;
  getSearchResults(): AnyContext | undefined;
  setShopper(context: AnyContext | null | undefined): void;
  getShopper(): AnyContext | undefined;
  setShoppingCart(context: AnyContext | null | undefined): void;
  getShoppingCart(): AnyContext | undefined;
  setStorefrontInstance(context: AnyContext | null | undefined): void;
  getStorefrontInstance(): AnyContext | undefined;
  /** Sets any data-layer key (`"pageContext"`). */
  setContext(name: string, context: unknown): void;
  /** Reads one data-layer key, or the whole state without a name. */
  getContext(name?: string): unknown;
}

type Custom = AnyContext;

export interface PublishApi {
  addToCart(custom?: Custom): void;
  addToRequisitionList(custom?: Custom): void;
  categoryResultsView(searchUnitId: string, custom?: Custom): void;
  createAccount(custom?: Custom): void;
  createRequisitionList(custom?: Custom): void;
  custom(custom?: Custom): void;
  customUrl(custom?: Custom): void;
  deleteRequisitionList(custom?: Custom): void;
  editAccount(custom?: Custom): void;
  initiateCheckout(custom?: Custom): void;
  openCart(custom?: Custom): void;
  pageActivitySummary(custom?: Custom): void;
  pageView(custom?: Custom): void;
  placeOrder(custom?: Custom): void;
  productPageView(custom?: Custom): void;
  recsItemAddToCartClick(unitId: string, productId: number, custom?: Custom): void;
  recsItemClick(unitId: string, productId: number, custom?: Custom): void;
  recsRequestSent(custom?: Custom): void;
  recsResponseReceived(custom?: Custom): void;
  recsUnitRender(unitId: string, custom?: Custom): void;
  recsUnitView(unitId: string, custom?: Custom): void;
  referrerUrl(custom?: Custom): void;
  removeFromCart(custom?: Custom): void;
  removeFromRequisitionList(custom?: Custom): void;
  searchCategoryClick(searchUnitId: string, name: string, custom?: Custom): void;
  searchProductClick(searchUnitId: string, sku: string, custom?: Custom): void;
  searchRequestSent(searchUnitId: string, custom?: Custom): void;
  searchResponseReceived(searchUnitId: string, custom?: Custom): void;
  searchResultsView(searchUnitId: string, custom?: Custom): void;
  searchSuggestionClick(searchUnitId: string, suggestion: string, custom?: Custom): void;
  shoppingCartView(custom?: Custom): void;
  signIn(custom?: Custom): void;
  signOut(custom?: Custom): void;
  updateCart(custom?: Custom): void;
}

/** What subscribers of a storefront event receive. */
export interface StorefrontEvent {
  event: string;
  eventInfo: Record<string, unknown>;
}

/** A report about an event that was dropped, degraded, held or delivered. */
export interface Diagnostic {
  level: "error" | "warning" | "info";
  /** Machine-readable reason, e.g. `missing-context`, `invalid-field`, `delivery-failed`. */
  code: string;
  /** The publish method, or `""` for collector-level reports. */
  event: string;
  eventId?: string;
  /** The field path, e.g. `changedProductsContext.items[0].product.sku`. */
  path: string;
  message: string;
}

type Handler<T> = (this: StorefrontEvents, payload: T) => void;
type EventSubscriptions = { [K in keyof PublishApi]: (handler: Handler<StorefrontEvent>) => void } & {
  dataLayerChange(handler: Handler<Record<string, unknown>>): void;
  dataLayerEvent(handler: Handler<StorefrontEvent>): void;
  /** Every diagnostic the collector raises. */
  diagnostic(handler: Handler<Diagnostic>): void;
};

/** Consent settings (`setAEP({consent})` or the typed config's `consent`). */
export interface ConsentSettings {
  /** State when no signal says otherwise (default `"in"`, as the reference behaves). */
  default?: ConsentState;
  /** Whether Global Privacy Control means out (default true). */
  gpc?: boolean;
  /** IAB TCF v2: purposes that must all be consented (default [1]) and the vendor (default 565). */
  tcf?: { purposes?: number[]; vendor?: number };
  /** Direct mode: also post the shopper's choice to the Edge's `/privacy/set-consent`. */
  edge?: boolean;
  /** Hand-off mode: call `setConsent` on the site's alloy (the reference's behaviour; default false). */
  alloy?: boolean;
}

export type ConsentState = "in" | "out" | "pending";

/** An Adobe consent object (1.0 `general` or 2.0 `collect.val`), as alloy's `setConsent` takes. */
export type AdobeConsent =
  | { standard: "Adobe"; version: "1.0"; value: { general: "in" | "out" } }
  | { standard: "Adobe"; version: "2.0"; value: { collect: { val: "y" | "n" | string }; [k: string]: unknown } };

export interface ConsentApi {
  /** Records the shopper's choice; outranks GPC, mg_dnt and the default. */
  set(choice: ConsentState | AdobeConsent | { consent: AdobeConsent[] }): void;
  /** The effective state (undefined until the engine runs). */
  get(): ConsentState | undefined;
}

export interface StorefrontEvents {
  context: ContextApi;
  publish: PublishApi;
  consent: ConsentApi;
  subscribe: EventSubscriptions;
  unsubscribe: EventSubscriptions;
  /** Logs every diagnostic to the console (also: `?storefront_events_debug=1` in the page URL). */
  debug(enabled?: boolean): void;
  /** Resolves once the wasm engine runs and queued calls have been applied. */
  ready: Promise<void>;
}

/** Typed configuration, as on the Commerce "Experience Platform connector" admin page. */
export interface CollectorConfig {
  /** IMS organization id, ending in `@AdobeOrg` (e.g. `1234@AdobeOrg`). Required. */
  imsOrgId: string;
  /** "AEP Web SDK already deployed": the site's alloy global; events are handed to it. */
  webSdkName?: string;
  /** Datastream id; required unless `webSdkName` is given (then it is not used). */
  datastreamId?: string;
  /** Dataset id, sent as a datastream override; required in direct mode unless `storefrontEvents` is false. */
  datasetId?: string;
  /** Send storefront events to Experience Platform (default true). */
  storefrontEvents?: boolean;
  /** First-party Edge domain (CNAME), default `edge.adobedc.net`. */
  edgeDomain?: string;
  /** Edge base path, default `ee`. */
  edgeBasePath?: string;
  /** Custom identities, `{namespace: [{id, primary}]}`. */
  identityMap?: AepContext["identityMap"];
  /** Consent settings. */
  consent?: ConsentSettings;
  /** Log every diagnostic to the console. */
  debug?: boolean;
  /** Bounds of the outbox of waiting events (defaults: 2000 events, 2,000,000 bytes). */
  outbox?: { maxEvents?: number; maxBytes?: number };
  /** Where to load the `.wasm` from. */
  wasm?: Options["wasm"];
}

/** Thrown by `createCollector` / `validateConfig` for a bad configuration. */
export class ConfigError extends Error {
  readonly name: "ConfigError";
  /** The configuration field at fault, e.g. `imsOrgId` or `outbox.maxEvents`. */
  readonly field: string;
}

/** Creates a collector from a typed configuration; throws `ConfigError` naming a bad field. */
export function createCollector(config: CollectorConfig): StorefrontEvents;
/** Checks a configuration without creating a collector; throws `ConfigError`. */
export function validateConfig(config: CollectorConfig): void;

export interface Options {
  /** Log every diagnostic to the console. */
  debug?: boolean;
  /** Bounds of the outbox of waiting events. */
  outbox?: { maxEvents?: number; maxBytes?: number };
  /** Where to load the `.wasm` from (URL, Response, or bytes); defaults to next to the module. */
  wasm?: string | URL | Request | Response | BufferSource | WebAssembly.Module;
}

/** Creates a collector with the drop-in `magentoStorefrontEvents` API. */
export function createStorefrontEvents(options?: Options): StorefrontEvents;
/** Creates the collector once and assigns it to `window.magentoStorefrontEvents`. */
export function install(options?: Options): StorefrontEvents;
/** The 27 context names (`setX`/`getX`). */
export const contextNames: string[];
/** Publish method → subscriber event name. */
export const eventNames: Record<keyof PublishApi, string>;

declare global {
  interface Window {
    magentoStorefrontEvents: StorefrontEvents;
  }
}
