//! Consent: what `…/.default` stands for (the app registration's configured permissions) and
//! what each user consented to interactively beyond it (incremental consent). A refresh may ask
//! only for what its grant or the user's consents cover; anything else is AADSTS65001.

use uuid::Uuid;

use super::oauth::Granted;
use super::Inner;

impl Inner {
    /// `granted` as parsed from `scope`, with `.default` standing for what the app's
    /// registration configures ([`Inner::default_permissions`]).
    pub fn expand_default(&self, scope: &str, mut granted: Granted) -> Granted {
        let asks_default = scope
            .split_whitespace()
            .any(|s| s.to_ascii_lowercase().ends_with("/.default"));
        let explicit = scope
            .split_whitespace()
            .any(|s| s.to_ascii_lowercase().ends_with("/user_impersonation"));
        if let (true, false, Some(list)) = (asks_default, explicit, &self.default_permissions) {
            granted.ado.retain(|p| p != "user_impersonation");
            for p in list {
                if !granted.ado.contains(p) {
                    granted.ado.push(p.clone());
                }
            }
        }
        granted
    }

    /// Records that `user` consented to `granted`'s permissions (an interactive sign-in).
    pub fn record_consent(&mut self, user: Uuid, granted: &Granted) {
        let list = self.consents.entry(user).or_default();
        for p in &granted.ado {
            if !list.contains(p) {
                list.push(p.clone());
            }
        }
    }

    /// Whether `user` may get `requested` by refresh: within the grant or what they consented.
    pub fn may_refresh(&self, user: Uuid, requested: &Granted, grant: &Granted) -> bool {
        requested.within(grant)
            || self.consents.get(&user).is_some_and(|c| {
                requested.within(&Granted {
                    ado: c.clone(),
                    oidc: Vec::new(),
                })
            })
    }
}
