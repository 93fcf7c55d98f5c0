// After a Microsoft sign-in, the Services form offers the user's organizations (issue 20): the
// profile API's id, then the accounts API, listed in a <datalist> on the organization field, so
// typing filters them, the organization already typed stays selected, and any other name (an
// organization in another tenant) can still be typed.
import { backend } from "../backend.js";
import { $, el } from "../dom.js";

/** Fills the organization field's list from a saved Microsoft sign-in; quiet when it cannot. */
export async function offerOrganizations(profileId) {
  let organizations = [];
  try {
    organizations = await backend.listOrganizations(profileId);
  } catch {
    return [];
  }
  let list = $("organization-choices");
  if (!list) {
    list = el("datalist");
    list.id = "organization-choices";
    $("organization").after(list);
  }
  list.replaceChildren(...organizations.map((o) => Object.assign(el("option"), { value: o.name, label: o.current ? `${o.name} (signed in)` : o.name })));
  $("organization").setAttribute("list", "organization-choices");
  const current = organizations.find((o) => o.current);
  if (current && !$("organization").value) $("organization").value = current.name;
  document.body.dataset.organizations = String(organizations.length);
  return organizations;
}

/** At start: the first saved Microsoft sign-in's organizations, when there is one. */
export async function offerFromSaved() {
  const cards = await backend.connectionCards().catch(() => []);
  const entra = cards.find((c) => c.method === "entra");
  return entra ? offerOrganizations(entra.id) : [];
}
