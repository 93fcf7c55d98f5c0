// Step 2: who we are signed in as and what the token reaches.
import { backend } from "../backend.js";
import { $, el } from "../dom.js";

let current = null;

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

export function showResult(connected) {
  current = connected;
  const { verified, profile, secretStoreDescription } = connected;
  const user = verified.user;
  $("result-user").textContent = user.account ? `${user.displayName} (${user.account})` : user.displayName;
  $("result-deployment").textContent =
    verified.deployment === "server" ? "Azure DevOps Server (on-premises)" : "Azure DevOps Services (cloud)";
  $("result-url").textContent = verified.apiUrl;
  $("result-counts").textContent = `${plural(verified.projects.length, "project", "projects")}, ${plural(
    verified.repositoryCount,
    "repository",
    "repositories",
  )}`;
  $("result-store").textContent = secretStoreDescription;
  $("result-status").textContent = `Saved as ${profile.id}.`;
  $("forget").disabled = false;
  $("to-checks").disabled = false;

  const warnings = $("result-warnings");
  warnings.replaceChildren(
    ...verified.warnings.map((w) =>
      el(
        "div",
        { className: "alert warning" },
        el("p", { className: "alert-title" }, el("span", { className: "code", text: w.code }), ` ${w.message}`),
        el("p", { text: w.fix }),
      ),
    ),
  );

  const list = $("result-projects");
  list.replaceChildren(
    ...verified.projects.map((p) => {
      const repos = el("ul");
      for (const r of p.repositories) {
        repos.append(el("li", {}, el("span", { className: "repo-name", text: r.name }), r.defaultBranch ? ` · ${r.defaultBranch}` : ""));
      }
      if (!p.repositories.length) repos.append(el("li", { text: "no repositories visible" }));
      return el("li", { className: "project" }, el("span", { className: "project-name", text: p.name }), repos);
    }),
  );
  $("result-title").focus?.();
}

export function initResult({ onBack, onChecks, onHooks }) {
  $("back").addEventListener("click", onBack);
  $("to-checks").addEventListener("click", onChecks);
  $("to-hooks").addEventListener("click", onHooks);
  $("forget").addEventListener("click", async () => {
    if (!current) return;
    try {
      await backend.removeConnection(current.profile.id);
      $("result-status").textContent = "Forgotten: the profile and its token were removed from this machine.";
      $("forget").disabled = true;
      $("to-checks").disabled = true;
    } catch (error) {
      $("result-status").textContent = `${error.message} ${error.fix || ""}`;
    }
  });
}
