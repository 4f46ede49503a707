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
  /**
   * Send the shopper's email only hashed: `personalEmail.address` is left out and the identity is
   * `Email_LC_SHA256` (SHA-256 of the trimmed, lowercased address) instead of `email`. Default false
   * (the reference sends the plain address). Profiles must then be uploaded with the same hash.
   */
  hashEmail?: boolean;
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
  maxXOffset?: number;
  maxYOffset?: number;
  minXOffset?: number;
  minYOffset?: number;
  ping_interval?: number;
  pings?: number;
}

export interface Address {
  postalCode?: string; country?: string; region?: string; firstName?: string; lastName?: string;
  company?: string; street?: string[]; city?: string; phoneNumber?: string; saveInAddressBook?: boolean;
}

/** The signed-in shopper. `emailAddress` becomes the `email` identity (profiles join on it). */
export interface AccountContext {
  firstName?: string; lastName?: string; emailAddress?: string; phoneNumber?: string; countryCode?: string;
  accountId?: string; accountType?: string; company?: string; customerGroup?: string;
  billingAddress?: Address; shippingAddress?: Address;
}

export interface CategoryContext { name: string; urlKey: string; urlPath: string }
export interface ChannelContext { _id: string; _type: string }
export interface DebugContext { eventId?: string }
export interface VersionContext { version: string }
export interface MagentoExtensionContext { magentoExtensionVersion: string }
export interface CustomUrlContext { customUrl: string }
export interface ReferrerUrlContext { referrerUrl: string }
export interface ShopperContext { shopperId: "logged-in" | "guest" }

export interface Pricing {
  regularPrice: number; minimalPrice?: number; maximalPrice?: number; specialPrice?: number | null;
  tierPricing?: Array<{ customerGroupId?: number; qty: number; value: number }>; currencyCode: string | null;
}

export interface ProductContext {
  productId: number; name: string; sku: string; topLevelSku?: string | null;
  specialToDate?: string | null; specialFromDate?: string | null; newToDate?: string | null; newFromDate?: string | null;
  createdAt?: string | null; updatedAt?: string | null; manufacturer?: string | null; countryOfManufacture?: string | null;
  categories?: string[] | null; productType?: string | null; pricing?: Pricing; canonicalUrl?: string | null; mainImageUrl?: string | null;
}

export interface Price { value: number; currency?: string; regularPrice?: number }

export interface ShoppingCartItem {
  canApplyMsrp: boolean; formattedPrice: string; id: string; prices: { price: Price }; product: ProductContext;
  configurableOptions?: Array<{ id: number; optionLabel: string; valueId: number; valueLabel: string }>;
  quantity: number; discountAmount?: number;
}

export interface ShoppingCartContext {
  id: string | null; items?: ShoppingCartItem[]; prices?: { subtotalExcludingTax?: Price; subtotalIncludingTax?: Price };
  totalQuantity: number; possibleOnepageCheckout?: boolean; giftMessageSelected?: boolean; giftWrappingSelected?: boolean;
  source?: string; discountAmount?: number;
}

export interface ChangedProductsContext { items?: ShoppingCartItem[] }

export interface OrderContext {
  appliedCouponCode: string; email: string; grandTotal: number; orderId: string | number;
  orderType?: "checkout" | "instant_purchase"; otherTax: number; salesTax: number;
  /** @deprecated use `payments` */ paymentMethodCode?: string;
  /** @deprecated use `payments` */ paymentMethodName?: string;
  payments?: Array<{ paymentMethodCode: string; paymentMethodName: string; total: number; orderId?: string }>;
  shipping?: { shippingMethod?: string; shippingAmount?: number };
  subtotalExcludingTax: number; subtotalIncludingTax: number; discountAmount?: number; taxAmount?: number;
}

export interface RequisitionListItem {
  sku: string; name?: string; quantity: number | string; pricing?: Pricing;
  selectedOptions?: Array<{ attribute: string; value: string }>;
}
export interface RequisitionListContext { id: string | number; name?: string; description?: string }
export interface RequisitionListItemsContext { items: RequisitionListItem[] }

export interface SearchInputUnit {
  searchUnitId: string; searchRequestId: string; queryTypes: Array<"products" | "suggestions" | "categories">;
  phrase: string; pageSize: number; currentPage: number;
  filter: Array<{ attribute: string; eq?: string; in?: string[]; range?: { from?: number; to?: number } }>;
  sort: Array<{ attribute: string; direction: "ASC" | "DESC" }>;
  context?: { customerGroup: string };
}
export interface SearchInputContext { units: SearchInputUnit[] }

export interface SearchResultsUnit {
  searchUnitId: string; searchRequestId: string; rankingType?: string; trendingWindow?: string; executionTime?: number;
  products: Array<{ name: string; sku: string; url: string; imageUrl: string; price?: number; rank: number }>;
  categories: Array<{ name: string; url: string; rank: number }>;
  suggestions: Array<{ suggestion: string; rank: number }>;
  page: number; perPage: number;
  facets: Array<{ attribute: string; title: string; type: "PINNED" | "INTELLIGENT" | "POPULAR"; buckets: unknown[] }> | null;
}
export interface SearchResultsContext { units: SearchResultsUnit[] }

export interface RecommendationsContext { units: Array<Record<string, unknown>> }

export interface StorefrontInstanceContext {
  environmentId: string; instanceId?: string; environment: string; storeUrl: string;
  websiteId: number; websiteCode?: string; storeId: number; storeCode?: string; storeViewId: number; storeViewCode?: string;
  websiteName: string; storeName: string; storeViewName: string; baseCurrencyCode: string; storeViewCurrencyCode: string;
  catalogExtensionVersion?: string; locale?: string;
  storefrontTemplate?: "Luma" | "EDS" | "Hyva" | "AEM CIF" | "Franklin" | "PWA Studio" | "Other"; viewId?: string;
}

/** A free-form XDM fragment: the base payload of the next events (see README, "Events"). */
export type CustomContext = Record<string, unknown>;

/** Any other context: a JSON object as the reference SDK documents it. */
export type AnyContext = Record<string, unknown>;

export interface ContextApi {
  setAEP(context: AepContext | null | undefined): void;
  getAEP(): AepContext | undefined;
  setAccount(context: AccountContext | null | undefined): void;
  getAccount(): AccountContext | undefined;
  setCategory(context: CategoryContext | null | undefined): void;
  getCategory(): CategoryContext | undefined;
  setChangedProducts(context: ChangedProductsContext | null | undefined): void;
  getChangedProducts(): ChangedProductsContext | undefined;
  setChannel(context: ChannelContext | null | undefined): void;
  getChannel(): ChannelContext | undefined;
  setCustom(context: CustomContext | null | undefined): void;
  getCustom(): CustomContext | undefined;
  setCustomUrl(context: CustomUrlContext | null | undefined): void;
  getCustomUrl(): CustomUrlContext | undefined;
  setDataServicesExtension(context: VersionContext | null | undefined): void;
  getDataServicesExtension(): VersionContext | undefined;
  setDebug(context: DebugContext | null | undefined): void;
  getDebug(): DebugContext | undefined;
  setEventForwarding(context: EventForwardingContext | null | undefined): void;
  getEventForwarding(): EventForwardingContext | undefined;
  setExperiencePlatformConnectorExtension(context: VersionContext | null | undefined): void;
  getExperiencePlatformConnectorExtension(): VersionContext | undefined;
  setMagentoExtension(context: MagentoExtensionContext | null | undefined): void;
  getMagentoExtension(): MagentoExtensionContext | undefined;
  setOrder(context: OrderContext | null | undefined): void;
  getOrder(): OrderContext | undefined;
  setOrderPage(context: RequisitionListItemsContext | null | undefined): void;
  getOrderPage(): RequisitionListItemsContext | undefined;
  setPage(context: PageContext | null | undefined): void;
  getPage(): PageContext | undefined;
  setProduct(context: ProductContext | null | undefined): void;
  getProduct(): ProductContext | undefined;
  setRecommendations(context: RecommendationsContext | null | undefined): void;
  getRecommendations(): RecommendationsContext | undefined;
  setRecommendationsExtension(context: VersionContext | null | undefined): void;
  getRecommendationsExtension(): VersionContext | undefined;
  setReferrerUrl(context: ReferrerUrlContext | null | undefined): void;
  getReferrerUrl(): ReferrerUrlContext | undefined;
  setRequisitionList(context: RequisitionListContext | null | undefined): void;
  getRequisitionList(): RequisitionListContext | undefined;
  setRequisitionListItems(context: RequisitionListItemsContext | null | undefined): void;
  getRequisitionListItems(): RequisitionListItemsContext | undefined;
  setSearchExtension(context: VersionContext | null | undefined): void;
  getSearchExtension(): VersionContext | undefined;
  setSearchInput(context: SearchInputContext | null | undefined): void;
  getSearchInput(): SearchInputContext | undefined;
  setSearchResults(context: SearchResultsContext | null | undefined): void;
  getSearchResults(): SearchResultsContext | undefined;
  setShopper(context: ShopperContext | null | undefined): void;
  getShopper(): ShopperContext | undefined;
  setShoppingCart(context: ShoppingCartContext | null | undefined): void;
  getShoppingCart(): ShoppingCartContext | undefined;
  setStorefrontInstance(context: StorefrontInstanceContext | null | undefined): void;
  getStorefrontInstance(): StorefrontInstanceContext | undefined;
  /** Sets any data-layer key (`"pageContext"`). */
  setContext(name: string, context: unknown): void;
  /** Reads one data-layer key, or the whole state without a name. */
  getContext(name?: string): unknown;
}

type Custom = CustomContext;

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

/** Every diagnostic code the collector raises (see README, "Diagnostics and debugging"). */
export type DiagnosticCode =
  "missing-context" | "missing-field" | "invalid-field" | "invalid-argument" | "unknown-method" | "unreadable-input" | "awaiting-configuration" | "forwarding-disabled" | "not-forwarded" | "invalid-configuration" | "queue-full" | "handed-off" | "delivery-failed" | "identity-unavailable" | "duplicate" | "delivered" | "retrying" | "edge-warning" | "restored" | "expired" | "storage-unavailable" | "consent-changed" | "consent-pending" | "consent-out" | "awaiting-alloy" | "hand-off-stalled" | "engine-unavailable" | "subscriber-failed";

/** A report about an event that was dropped, degraded, held or delivered. */
export interface Diagnostic {
  level: "error" | "warning" | "info";
  /** Machine-readable reason, e.g. `missing-context`, `invalid-field`, `delivery-failed`. */
  code: DiagnosticCode;
  /** The publish method, or `""` for collector-level reports. */
  event: string;
  eventId?: string;
  /** The field path, e.g. `changedProductsContext.items[0].product.sku`. */
  path: string;
  message: string;
}

type Handler<T> = (this: StorefrontEvents, payload: T) => void;

/** Which of an event's data-layer items a subscriber gets, as the reference's data layer's
 *  `addEventListener` scope. */
export interface SubscribeOptions {
  /** `"all"` (the default): the past items at once, inside `subscribe`, then new ones; `"future"`:
   *  new ones only; `"past"`: the past ones only (the handler is not kept). The collector keeps the
   *  newest ~1 MB of past items' JSON; diagnostics are never replayed. */
  scope?: "all" | "future" | "past";
}

/** `subscribe.<name>(handler, options?)`: the 34 publish methods' events, the data layer's
 *  change and event streams, and the collector's diagnostics. */
type EventSubscriptions = { [K in keyof PublishApi]: (handler: Handler<StorefrontEvent>, options?: SubscribeOptions) => void } & {
  dataLayerChange(handler: Handler<Record<string, unknown>>, options?: SubscribeOptions): void;
  dataLayerEvent(handler: Handler<StorefrontEvent>, options?: SubscribeOptions): void;
  /** Every diagnostic the collector raises from now on. */
  diagnostic(handler: Handler<Diagnostic>): void;
};
/** `unsubscribe.<name>(handler)`: the same names. */
type EventUnsubscriptions = { [K in keyof EventSubscriptions]: (handler: Parameters<EventSubscriptions[K]>[0]) => void };

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
  unsubscribe: EventUnsubscriptions;
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
  /** Send the shopper's email only as an `Email_LC_SHA256` hash (see `AepContext.hashEmail`). */
  hashEmail?: boolean;
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
/** Creates the collector once and assigns it to `window.magentoStorefrontEvents` (when page code made
 *  that global read-only, use the returned object; install never throws for it). */
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
