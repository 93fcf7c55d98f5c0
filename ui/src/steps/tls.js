// Untrusted TLS: show the chain the server presented and offer to trust its CA for this
// connection only (TLS verification stays on).
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";

let trustedCa = null; // { pem, name } the user chose to trust for this connection

/** The CA (PEM) chosen for this connection, if any. */
export function trustedCaPem() {
  return trustedCa ? trustedCa.pem : null;
}

/** Shows the chain of `url`; "Trust" keeps the CA and calls `retry`. */
export async function showChain(url, retry) {
  let chain;
  try {
    chain = await backend.inspectCertificate(url);
  } catch {
    return; // the alert already says what failed
  }
  $("tls-chain").replaceChildren(
    ...chain.certificates.map((c, i) =>
      el(
        "li",
        {},
        el("div", { text: c.subject }),
        ...(i === chain.trustCandidate ? [el("span", { className: "ca-tag", text: "certificate authority" })] : []),
        el("div", { className: "hint", text: `issued by ${c.issuer} · valid until ${c.notAfter}` }),
        el("div", { className: "fp", text: `SHA-256 ${c.sha256}` }),
      ),
    ),
  );
  const candidate = chain.trustCandidate === null || chain.trustCandidate === undefined ? null : chain.certificates[chain.trustCandidate];
  $("trust-ca").disabled = !candidate;
  $("trust-ca").textContent = candidate ? "Trust this CA for this connection" : "The server did not send its CA: ask its administrator for the CA file";
  $("trust-ca").onclick = () => {
    trustedCa = { pem: candidate.pem, name: candidate.subject };
    $("trusted-ca-name").textContent = candidate.subject;
    show($("trusted-ca-note"), true);
    show($("tls-panel"), false);
    retry();
  };
  show($("tls-panel"), true);
}

export function initTls() {
  $("untrust-ca").addEventListener("click", () => {
    trustedCa = null;
    show($("trusted-ca-note"), false);
  });
}
