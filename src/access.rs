//! API keys and roles, with no HTTP in sight: a key is a random secret; the service keeps only
//! its SHA-256 with the role it grants (`role:sha256hex` entries in the settings).

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

vocabulary! {
    /// What a key may do. `admin` may do everything its bureau may; `public` (safe in a web
    /// page) only submits quote requests and reads the public catalog.
    pub Role {
        Sales => "sales",
        Finance => "finance",
        Admin => "admin",
        Public => "public",
        /// Manages the bureaus of a deployment (`operator_keys`); reads no bureau's quotes.
        Operator => "operator",
    }
}

/// A configured key: its role and the SHA-256 of the secret. `Debug` shows the role only.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub role: Role,
    pub hash: [u8; 32],
}

/// Why an API key entry was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("an API key entry is `role:sha256hex`")]
    NoColon,
    #[error("unknown role `{0}`; roles: sales, finance, admin, public")]
    UnknownRole(String),
    #[error("an operator key belongs in operator_keys, not api_keys")]
    OperatorInApiKeys,
    #[error("the hash is not hexadecimal")]
    NotHex(#[source] hex::FromHexError),
    #[error("the hash is not 64 hex digits (SHA-256)")]
    NotSha256,
}

impl ApiKey {
    /// Parses a `role:sha256hex` entry of `api_keys` (a bureau's role).
    pub fn parse(entry: &str) -> Result<ApiKey, ApiKeyError> {
        let (role, hash) = entry.trim().split_once(':').ok_or(ApiKeyError::NoColon)?;
        let role =
            Role::parse(role.trim()).ok_or_else(|| ApiKeyError::UnknownRole(role.to_owned()))?;
        if role == Role::Operator {
            return Err(ApiKeyError::OperatorInApiKeys);
        }
        Ok(ApiKey {
            role,
            hash: sha256_of(hash)?,
        })
    }

    /// Parses an entry of `operator_keys`: `operator:sha256hex`, or the hash alone.
    pub fn parse_operator(entry: &str) -> Result<ApiKey, ApiKeyError> {
        let entry = entry.trim();
        let hash = entry.strip_prefix("operator:").unwrap_or(entry);
        Ok(ApiKey {
            role: Role::Operator,
            hash: sha256_of(hash)?,
        })
    }

    /// A short, non-secret id of the key for the record of who did what.
    pub fn id(&self) -> String {
        hex::encode(&self.hash[..6])
    }
}

fn sha256_of(hex_text: &str) -> Result<[u8; 32], ApiKeyError> {
    let bytes = hex::decode(hex_text.trim()).map_err(ApiKeyError::NotHex)?;
    bytes.try_into().map_err(|_| ApiKeyError::NotSha256)
}

/// The hash is what a presented key is checked against: no log needs it.
impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A fresh random key and the configuration entry for it.
pub fn new_key(role: Role) -> (String, String) {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let prefix = if role == Role::Public { "pk" } else { "ofk" };
    let key = format!("{prefix}_{}", hex::encode(secret));
    let entry = format!(
        "{}:{}",
        role.as_str(),
        hex::encode(Sha256::digest(key.as_bytes()))
    );
    (key, entry)
}

/// All configured keys.
#[derive(Debug, Clone, Default)]
pub struct Keys(pub Vec<ApiKey>);

impl Keys {
    /// Finds the key whose hash matches, comparing every configured hash in constant time.
    pub fn find(&self, presented: &str) -> Option<&ApiKey> {
        let digest = Sha256::digest(presented.as_bytes());
        let mut found = None;
        for key in &self.0 {
            if bool::from(key.hash.ct_eq(&digest[..])) {
                found = Some(key);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_matches_its_entry() {
        let (key, entry) = new_key(Role::Finance);
        let parsed = ApiKey::parse(&entry).unwrap();
        assert_eq!(parsed.role, Role::Finance);
        let keys = Keys(vec![parsed]);
        assert!(keys.find(&key).is_some());
        assert!(keys.find("ofk_wrong").is_none());
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(ApiKey::parse("sales").is_err());
        assert!(ApiKey::parse("boss:00").is_err());
        assert!(ApiKey::parse("sales:zz").is_err());
        assert!(ApiKey::parse("sales:0011").is_err());
    }
}
