// The typed configuration of the ES module API: every bad field of the connector's form is rejected
// with a ConfigError that names it; good configurations pass. (Runs in Node: validation is pure JS.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateConfig, ConfigError } from "../../pkg/index.js";

const direct = { imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1", datasetId: "set-1" };

test("good configurations pass", () => {
  validateConfig(direct);
  validateConfig({ imsOrgId: "1234@AdobeOrg", webSdkName: "alloy" });
  validateConfig({ imsOrgId: "ABCDEF0123456789ABCDEF01@AdobeOrg", datastreamId: "ds", storefrontEvents: false });
  validateConfig({ ...direct, edgeDomain: "data.example.com", edgeBasePath: "ee", outbox: { maxEvents: 10, maxBytes: 5000 } });
});

const bad = [
  ["imsOrgId", { datastreamId: "ds-1", datasetId: "set-1" }],
  ["imsOrgId", { ...direct, imsOrgId: "" }],
  ["imsOrgId", { ...direct, imsOrgId: "1234" }],
  ["imsOrgId", { ...direct, imsOrgId: "@AdobeOrg" }],
  ["imsOrgId", { ...direct, imsOrgId: 1234 }],
  ["datastreamId", { imsOrgId: "1234@AdobeOrg", datasetId: "set-1" }],
  ["datastreamId", { ...direct, datastreamId: "" }],
  ["webSdkName", { ...direct, webSdkName: "" }],
  ["webSdkName", { ...direct, webSdkName: "my alloy" }],
  ["datasetId", { imsOrgId: "1234@AdobeOrg", datastreamId: "ds-1" }],
  ["datasetId", { ...direct, datasetId: 7 }],
  ["storefrontEvents", { ...direct, storefrontEvents: "yes" }],
  ["edgeDomain", { ...direct, edgeDomain: "https://edge.example.com" }],
  ["edgeDomain", { ...direct, edgeDomain: "edge.example.com:8443" }],
  ["edgeBasePath", { ...direct, edgeBasePath: "ee/v1" }],
  ["outbox.maxEvents", { ...direct, outbox: { maxEvents: 0 } }],
  ["outbox.maxBytes", { ...direct, outbox: { maxBytes: 1.5 } }],
  ["edgeConfigId", { ...direct, edgeConfigId: "typo" }],
  ["config", null],
];

for (const [field, config] of bad) {
  test(`rejects a bad ${field}: ${JSON.stringify(config)}`, () => {
    assert.throws(() => validateConfig(config), (e) => {
      assert.ok(e instanceof ConfigError, "a ConfigError");
      assert.equal(e.field, field);
      assert.ok(e.message.startsWith(field + ": "), e.message);
      return true;
    });
  });
}
