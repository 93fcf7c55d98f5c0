// Untrusted TLS: the chain the server presented (the backend's), its CA offered for this
// connection only, and "Trust" keeping exactly that CA and trying again.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";

const fake = installFakeBackend();
const { initTls, showChain, trustedCaPem } = await import("../../ui/src/steps/tls.js");

let doc;
beforeEach(() => {
  fake.reset();
  doc = installDom(["tls-panel", "tls-chain", "trust-ca:button", "trusted-ca-note", "trusted-ca-name", "untrust-ca:button"]);
  doc.getElementById("tls-panel").hidden = true;
  doc.getElementById("trusted-ca-note").hidden = true;
  initTls();
});

const $ = (id) => doc.getElementById(id);

test("the chain is listed leaf first, the CA it offers marked", async () => {
  const chain = fixture("inspect_certificate");
  await showChain("https://tfs.example/tfs", () => {});
  assert.deepEqual(fake.argsOf("inspect_certificate"), [{ url: "https://tfs.example/tfs" }]);
  const rows = $("tls-chain").querySelectorAll("li");
  assert.equal(rows.length, chain.certificates.length);
  for (const [i, c] of chain.certificates.entries()) {
    assert.match(rows[i].textContent, new RegExp(`SHA-256 ${c.sha256}`));
    assert.equal(!!rows[i].querySelector(".ca-tag"), i === chain.trustCandidate);
  }
  assert.equal($("tls-panel").hidden, false);
  assert.equal($("trust-ca").disabled, false);
});

test("Trust keeps that CA's PEM for this connection and tries again; Untrust drops it", async () => {
  const chain = fixture("inspect_certificate");
  const candidate = chain.certificates[chain.trustCandidate];
  let retried = 0;
  await showChain("https://tfs.example/tfs", () => retried++);
  await $("trust-ca").click();
  assert.equal(trustedCaPem(), candidate.pem);
  assert.equal(retried, 1);
  assert.equal($("trusted-ca-name").textContent, candidate.subject);
  assert.equal($("trusted-ca-note").hidden, false);
  assert.equal($("tls-panel").hidden, true);
  await $("untrust-ca").click();
  assert.equal(trustedCaPem(), null);
  assert.equal($("trusted-ca-note").hidden, true);
});

test("a server that did not send its CA: nothing to trust, the administrator is named", async () => {
  const chain = fixture("inspect_certificate");
  fake.answer("inspect_certificate", { ...chain, certificates: chain.certificates.slice(0, 1), trustCandidate: null });
  await showChain("https://tfs.example/tfs", () => {});
  assert.equal($("trust-ca").disabled, true);
  assert.match($("trust-ca").textContent, /ask its administrator for the CA file/);
});

test("when the chain cannot be read, the panel stays closed (the alert already says why)", async () => {
  fake.fail("inspect_certificate", errors.notAUrl());
  await showChain("not a url", () => {});
  assert.equal($("tls-panel").hidden, true);
  assert.equal($("tls-chain").children.length, 0);
});
