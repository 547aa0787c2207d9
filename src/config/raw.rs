//! The configuration file as written: serde structs that mirror the TOML
//! tables one to one, every value a [`Field`] with its span. Deserializing
//! never fails on a wrong type or an unknown key, so one pass sees them all;
//! validation reports them with the rest.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use toml::Spanned;

/// A value as written: its span, the typed value or what was found instead
/// (`integer `14``), and for a table the keys it has, with their spans.
#[derive(Debug, Clone)]
pub struct Field<T> {
    pub span: Range<usize>,
    pub value: Result<T, String>,
    pub keys: Vec<Spanned<String>>,
}

impl<T> Field<T> {
    /// Where `key` is written in this table, else where the table is.
    pub fn key_span(&self, key: &str) -> Range<usize> {
        let found = self.keys.iter().find(|k| k.get_ref() == key);
        found.map_or(self.span.clone(), Spanned::span)
    }
}

/// What a raw type is called in messages, and the keys a table type takes.
pub trait Expect {
    const EXPECTED: &'static str;
    const KEYS: &'static [&'static str] = &[];
}

impl Expect for String {
    const EXPECTED: &'static str = "a string";
}
impl Expect for i64 {
    const EXPECTED: &'static str = "an integer";
}
impl Expect for bool {
    const EXPECTED: &'static str = "a boolean";
}
impl<T> Expect for Vec<T> {
    const EXPECTED: &'static str = "a list";
}

impl<'de, T: Deserialize<'de> + Expect> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Any<T>>::deserialize(deserializer)?;
        let span = spanned.span();
        let Any(value, keys) = spanned.into_inner();
        Ok(Field { span, value, keys })
    }
}

/// Accepts any TOML value, typed when it has `T`'s shape.
struct Any<T>(Result<T, String>, Vec<Spanned<String>>);

impl<'de, T: Deserialize<'de> + Expect> Deserialize<'de> for Any<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor(PhantomData))
    }
}

struct AnyVisitor<T>(PhantomData<T>);

impl<T> AnyVisitor<T> {
    fn scalar<'de, E, V>(value: V, found: String) -> Result<Any<T>, E>
    where
        E: de::Error,
        T: Deserialize<'de>,
        V: IntoDeserializer<'de, E>,
    {
        Ok(Any(
            T::deserialize(value.into_deserializer()).map_err(|_: E| found),
            Vec::new(),
        ))
    }
}

impl<'de, T: Deserialize<'de> + Expect> Visitor<'de> for AnyVisitor<T> {
    type Value = Any<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Any<T>, E> {
        Self::scalar(v, format!("boolean `{v}`"))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Any<T>, E> {
        Self::scalar(v, format!("integer `{v}`"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Any<T>, E> {
        Self::scalar(v, format!("floating point `{v}`"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Any<T>, E> {
        Self::scalar(v.to_string(), format!("string {v:?}"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Any<T>, A::Error> {
        if T::EXPECTED == Vec::<()>::EXPECTED {
            return Ok(Any(
                Ok(T::deserialize(SeqAccessDeserializer::new(seq))?),
                Vec::new(),
            ));
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Any(Err("a list".to_string()), Vec::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Any<T>, A::Error> {
        if T::KEYS.is_empty() {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Any(Err("a table".to_string()), Vec::new()));
        }
        let mut keys = Vec::new();
        let recorder = KeyRecorder {
            map,
            keys: &mut keys,
            known: T::KEYS,
        };
        let value = T::deserialize(MapAccessDeserializer::new(recorder))?;
        Ok(Any(Ok(value), keys))
    }
}

/// Passes a table's entries on, noting each key's span and holding back the
/// entries of unknown keys (validation reports them from `keys`).
struct KeyRecorder<'k, A> {
    map: A,
    keys: &'k mut Vec<Spanned<String>>,
    known: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for KeyRecorder<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<Spanned<String>>()? {
            self.keys.push(key.clone());
            if self.known.contains(&key.get_ref().as_str()) {
                return seed
                    .deserialize(key.into_inner().into_deserializer())
                    .map(Some);
            }
            self.map.next_value::<IgnoredAny>()?;
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Declares the raw tables: every key optional (validation reports missing
/// ones with a location and a fix), the key list taken from the fields.
macro_rules! tables {
    ($($name:ident { $($key:ident: $type:ty,)* })*) => {$(
        #[derive(Debug, Clone, Default, Deserialize)]
        pub struct $name { $(pub $key: Option<Field<$type>>,)* }

        impl Expect for $name {
            const EXPECTED: &'static str = "a table";
            const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];
        }
    )*};
}

type List<T> = Vec<Field<T>>;

tables! {
    RawConfig { server: RawServer, gitlab: RawGitlab, github: RawGithub, mail: RawMail,
        rules: RawRules, project: List<RawProject>, }
    RawServer { listen: String, database: String, sync_interval: String, retention: String,
        max_body_bytes: i64, }
    RawGitlab { url: String, token_env: String, webhook_secret_env: String, }
    RawGithub { api_url: String, token_env: String, app_id: i64, private_key_file: String,
        webhook_secret_env: String, }
    RawMail { smtp_url: String, from: String, user_env: String, password_env: String,
        timeout: String, ca_file: String, }
    RawRules { files: List<String>, }
    RawProject { forge: String, path: String, label: String, label_color: String,
        rule_packs: List<String>, extra_paths: List<String>, ignore_paths: List<String>,
        issue_keywords: List<String>, releases: RawReleases, batch: RawBatch, gate: RawGate,
        announce: RawAnnounce, }
    RawReleases { scheme: String, title_regex: String, }
    RawBatch { max_open_batches: i64, lead_time: String, assign_milestone: bool, }
    RawGate { block_ahead_of_next_release: bool, require_batch: bool, require_announcement: bool, }
    RawAnnounce { to: List<String>, reply_to: String, trigger: String, updates: String,
        digest_interval: String, release_notice: bool, upgrade_steps: List<String>,
        upgrade_policy: String, templates_dir: String, }
}
