use rocket::figment::providers::{Format, Toml};

use super::*;

fn config_from(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let figment = Figment::from(Toml::string(toml).nested()).select("default");
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Config::from_figment_and_env(&figment, env)
}

#[test]
fn durations_accept_seconds_and_suffixed_strings() {
    let config = config_from(
        "[default.portcullis]\naccess_token_ttl = 60\nsession_idle_timeout = \"12h\"\nsession_lifetime = \"30d\"\nreauth_window = \"90s\"",
        &[],
    )
    .unwrap();
    assert_eq!(config.access_token_ttl, Duration::from_secs(60));
    assert_eq!(config.session_idle_timeout, Duration::from_secs(12 * 3600));
    assert_eq!(config.session_lifetime, Duration::from_secs(30 * 86400));
    assert_eq!(config.reauth_window, Duration::from_secs(90));
}

#[test]
fn environment_overrides_the_file() {
    let config = config_from(
        "[default.portcullis]\naccess_token_ttl = 60",
        &[
            ("PORTCULLIS_ACCESS_TOKEN_TTL", "\"2m\""),
            ("PORTCULLIS_ALLOWED_REDIRECT_HOSTS", "[\"a.example\"]"),
            ("PORTCULLIS_DATA_DIR", "/var/lib/portcullis"),
        ],
    )
    .unwrap();
    assert_eq!(config.access_token_ttl, Duration::from_secs(120));
    assert_eq!(config.allowed_redirect_hosts, vec!["a.example".to_owned()]);
    assert_eq!(config.data_dir, PathBuf::from("/var/lib/portcullis"));
}

#[test]
fn unknown_environment_variable_is_not_fatal() {
    let config = config_from("", &[("PORTCULLIS_NO_SUCH_KEY", "1")]);
    assert!(config.is_ok());
}

#[test]
fn unknown_key_is_refused_by_name() {
    let err = config_from("[default.portcullis]\nsesion_lifetime = 5", &[]).unwrap_err();
    assert!(err.to_string().contains("sesion_lifetime"), "{err}");
}

#[test]
fn invalid_value_is_refused_by_name() {
    let err = config_from("[default.portcullis]\naccess_token_ttl = \"soon\"", &[]).unwrap_err();
    assert!(err.to_string().contains("access_token_ttl"), "{err}");
    let err = config_from("[default.portcullis]\nregistration = \"maybe\"", &[]).unwrap_err();
    assert!(err.to_string().contains("registration"), "{err}");
}

#[test]
fn every_setting_can_come_from_the_environment() {
    let defaults = serde_json::to_value(Config::default()).unwrap();
    let env: Vec<(String, String)> = known_keys()
        .into_iter()
        .filter(|key| !defaults[key].is_null())
        .map(|key| {
            let value = defaults[&key].to_string();
            (format!("PORTCULLIS_{}", key.to_uppercase()), value)
        })
        .collect();
    assert!(env.len() >= 20, "{env:?}");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (&**k, &**v)).collect();
    let overridden = config_from("[default.portcullis]\naccess_token_ttl = 60", &env).unwrap();
    assert_eq!(overridden.access_token_ttl, Duration::from_secs(15 * 60));
    assert_eq!(overridden.templates_dir, None);
}

#[test]
fn cookie_secure_follows_public_url() {
    let plain = config_from("", &[]).unwrap();
    assert!(!plain.cookie_secure());
    let tls = config_from(
        "[default.portcullis]\npublic_url = \"https://auth.example.com\"",
        &[],
    )
    .unwrap();
    assert!(tls.cookie_secure());
}
