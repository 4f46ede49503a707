// Demo storefront settings: where the Edge is and which datastream to use. These defaults match the
// edge-emulator's built-in datastream and the host names the end-to-end tests map; scripts/demo.sh
// serves its own version of this file (with the viewer's URL) in place of this one.
window.SHOP_CONFIG = {
  orgId: "1234@AdobeOrg",          // must be the datastream's org, or alloy will not find its identity cookie
  datastreamId: "demo-datastream", // built into edge-emulator, stores into dataset "storefront-events"
  edgeDomain: "edge.example.test", // a host name without a port: alloy always calls https://{edgeDomain}/
  viewerUrl: "",                   // the emulator's event viewer; empty hides the link
};
