//! The JWT of key-pair authentication: RS256, issuer `ACCOUNT.USER.SHA256:<public key fingerprint>`,
//! subject `ACCOUNT.USER`, valid for under an hour (Snowflake refuses longer-lived tokens, which is why
//! this is not `snowflake_jwt`, whose tokens last a day).

use crate::protocol::Failure;
use base64::Engine;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

pub(crate) fn token(private_key_pem: &str, account: &str, user: &str) -> Result<String, Failure> {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem.trim()).map_err(|e| {
        Failure::Credentials(format!("the private key is not an unencrypted PKCS#8 RSA PEM: {e}"))
    })?;
    let public = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| Failure::Credentials(format!("cannot encode the public key: {e}")))?;
    let fingerprint = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(public.as_bytes()));
    // The account part of the identity is the locator without region or cloud (`xy12345.us-east-1` →
    // `XY12345`).
    let account = account.split('.').next().unwrap_or(account).to_uppercase();
    let qualified = format!("{account}.{}", user.to_uppercase());
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "iss": format!("{qualified}.SHA256:{fingerprint}"),
        "sub": qualified,
        "iat": now,
        "exp": now + 59 * 60,
    });
    let der = key.to_pkcs1_der().map_err(|e| Failure::Credentials(format!("cannot encode the key: {e}")))?;
    let encoding = jsonwebtoken::EncodingKey::from_rsa_der(der.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &encoding)
        .map_err(|e| Failure::Credentials(format!("cannot sign the login token: {e}")))
}
