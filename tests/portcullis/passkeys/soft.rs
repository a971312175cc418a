//! A software authenticator, for the passkey flows that must succeed without a
//! browser: a P-256 key (openssl, which `webauthn-rs` verifies with) stored as a
//! user's passkey, and assertions signed with it as an authenticator signs them
//! (WebAuthn §6.1 authenticator data with user presence and verification, §7.2
//! client data for this origin, ES256 over both). Registration is not played:
//! the key goes into the store directly, as a finished registration leaves it.

use std::cell::Cell;

use data_encoding::BASE64URL_NOPAD;
use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use portcullis::domain::passkeys::StoredPasskey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::json;
use crate::helpers::{Reply, TestApp};

/// The origin the test servers' `public_url` gives (`http://localhost:8000`).
const ORIGIN: &str = "http://localhost:8000";

/// Authenticator data flags: user present (UP) and user verified (UV).
const PRESENT_AND_VERIFIED: u8 = 0x01 | 0x04;

/// One credential on a software authenticator.
pub struct SoftKey {
    key: PKey<Private>,
    id: Vec<u8>,
    /// The signature counter, moved on at every assertion.
    counter: Cell<u32>,
}

impl SoftKey {
    /// A new key pair with a random credential id.
    pub fn new() -> SoftKey {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
        let key = EcKey::generate(&group).expect("a P-256 key");
        let mut id = vec![0; 16];
        openssl::rand::rand_bytes(&mut id).expect("random bytes");
        SoftKey {
            key: PKey::from_ec_key(key).expect("a key"),
            id,
            counter: Cell::new(0),
        }
    }

    /// The credential as `webauthn-rs` keeps it after a registration with user
    /// verification and no attestation.
    fn credential(&self) -> Value {
        let ec = self.key.ec_key().expect("an EC key");
        let (mut x, mut y) = (
            openssl::bn::BigNum::new().expect("bn"),
            openssl::bn::BigNum::new().expect("bn"),
        );
        let mut ctx = BigNumContext::new().expect("bn context");
        ec.public_key()
            .affine_coordinates(ec.group(), &mut x, &mut y, &mut ctx)
            .expect("coordinates");
        let b64 = |n: &openssl::bn::BigNum| BASE64URL_NOPAD.encode(&n.to_vec_padded(32).unwrap());
        json!({
            "cred_id": BASE64URL_NOPAD.encode(&self.id),
            "cred": {
                "type_": "ES256",
                "key": { "EC_EC2": { "curve": "SECP256R1", "x": b64(&x), "y": b64(&y) } }
            },
            "counter": 0,
            "transports": null,
            "user_verified": true,
            "backup_eligible": false,
            "backup_state": false,
            "registration_policy": "required",
            "extensions": {},
            "attestation": { "data": "None", "metadata": "None" },
            "attestation_format": "none"
        })
    }

    /// Adds this key to `email`'s account, named `name`.
    pub fn enrol(&self, app: &TestApp, email: &str, name: &str) {
        let email = portcullis::domain::Email::parse(email).unwrap();
        let user = app.auth().store().user_by_email(&email).unwrap().unwrap();
        let stored: StoredPasskey = serde_json::from_value(json!({
            "id": BASE64URL_NOPAD.encode(&self.id[..6]),
            "name": name,
            "created_at": app.auth().now(),
            "key": { "cred": self.credential() },
        }))
        .expect("a stored passkey");
        app.auth()
            .store()
            .edit_passkeys(&user.id, |list| list.push(stored.clone()))
            .unwrap();
    }

    /// The finish body answering the ceremony `started` (a start route's reply)
    /// with this key, going on to `rd`.
    pub fn answer(&self, started: &Reply, rd: Option<&str>) -> String {
        let started = json(started);
        let options = &started["options"]["publicKey"];
        let challenge = options["challenge"].as_str().expect("a challenge");
        let rp_id = options["rpId"].as_str().expect("a relying party id");
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": ORIGIN,
            "crossOrigin": false,
        })
        .to_string();
        self.counter.set(self.counter.get() + 1);
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(PRESENT_AND_VERIFIED);
        data.extend_from_slice(&self.counter.get().to_be_bytes());
        let mut signer = Signer::new(MessageDigest::sha256(), &self.key).expect("a signer");
        signer.update(&data).expect("sign");
        signer
            .update(&Sha256::digest(client_data.as_bytes()))
            .expect("sign");
        let signature = signer.sign_to_vec().expect("a signature");
        let id = BASE64URL_NOPAD.encode(&self.id);
        json!({
            "ceremony": started["ceremony"],
            "rd": rd,
            "credential": {
                "id": id, "rawId": id, "type": "public-key",
                "response": {
                    "authenticatorData": BASE64URL_NOPAD.encode(&data),
                    "clientDataJSON": BASE64URL_NOPAD.encode(client_data.as_bytes()),
                    "signature": BASE64URL_NOPAD.encode(&signature),
                    "userHandle": null
                },
                "extensions": {}
            }
        })
        .to_string()
    }
}
