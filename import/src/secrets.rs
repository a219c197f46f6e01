//! Secrets in what is imported: which headers, query parameters and body fields hold
//! credentials, and the `${HEADROOM_...}` environment references that replace their
//! values, so a scenario file can be shared without them.

/// One environment variable the scenario needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    pub var: String,
    /// What it replaced: "the Authorization header", "the query parameter api_key".
    pub what: String,
    /// Requests that use it.
    pub uses: usize,
}

/// The secrets found so far: the same value (or the same scheme) is one variable.
#[derive(Debug, Default)]
pub struct Secrets {
    keys: Vec<String>,
    pub found: Vec<Secret>,
}

impl Secrets {
    /// The `${VAR}` reference for the secret `key` (its recorded value, or a scheme's
    /// name), named after `name` and described by `what`.
    pub fn reference(&mut self, key: &str, name: &str, what: &str) -> String {
        if let Some(i) = self.keys.iter().position(|k| k == key) {
            self.found[i].uses += 1;
            return format!("${{{}}}", self.found[i].var);
        }
        let base = env_name(name);
        let mut var = base.clone();
        let mut k = 2;
        while self.found.iter().any(|s| s.var == var) {
            var = format!("{base}_{k}");
            k += 1;
        }
        self.keys.push(key.to_string());
        self.found.push(Secret {
            var: var.clone(),
            what: what.to_string(),
            uses: 1,
        });
        format!("${{{var}}}")
    }
}

/// `HEADROOM_` and the name in upper case, other characters as `_`.
fn env_name(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("HEADROOM_{}", upper.trim_matches('_'))
}

/// Words that mark a name as holding a credential wherever they appear in it.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api-key",
    "api_key",
    "session",
    "signature",
    "csrf",
    "xsrf",
    "credential",
];

/// Whether a request header carries a credential (Authorization, X-Api-Key, X-CSRF-Token...).
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("auth") || SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// Whether a query parameter or body field carries a credential (password, access_token,
/// key, sig...); `author` and `keyword` do not.
pub fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "key" | "sig" | "pass" | "pwd" | "auth" | "authorization")
        || SECRET_WORDS.iter().any(|w| name.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_variable_per_value() {
        let mut s = Secrets::default();
        assert_eq!(
            s.reference("Bearer a", "Authorization", "the Authorization header"),
            "${HEADROOM_AUTHORIZATION}"
        );
        assert_eq!(
            s.reference("Bearer a", "Authorization", "the Authorization header"),
            "${HEADROOM_AUTHORIZATION}"
        );
        assert_eq!(
            s.reference("Bearer b", "Authorization", "the Authorization header"),
            "${HEADROOM_AUTHORIZATION_2}"
        );
        assert_eq!(
            s.reference("k", "x-api-key", "the X-Api-Key header"),
            "${HEADROOM_X_API_KEY}"
        );
        assert_eq!(s.found[0].uses, 2);
    }

    #[test]
    fn recognises_credentials_and_not_ordinary_names() {
        for h in ["Authorization", "X-Api-Key", "X-CSRF-Token", "Proxy-Authorization"] {
            assert!(is_secret_header(h), "{h}");
        }
        for h in ["Accept", "Content-Type", "User-Agent", "Referer"] {
            assert!(!is_secret_header(h), "{h}");
        }
        for f in ["password", "access_token", "key", "client_secret"] {
            assert!(is_secret_field(f), "{f}");
        }
        for f in ["q", "page", "sku", "keyword", "author"] {
            assert!(!is_secret_field(f), "{f}");
        }
    }
}
