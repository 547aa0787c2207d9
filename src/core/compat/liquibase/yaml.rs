//! YAML changelogs converted to the JSON value JSON changelogs give, so
//! one walk reads both.

use serde_json::Value;

/// How deep a YAML changelog may nest before it is refused: real ones
/// stay under ten levels, and the conversion below recurses.
const MAX_YAML_DEPTH: usize = 64;

/// A YAML changelog as the JSON value the JSON changelogs give, so one walk
/// reads both. yaml-rust2 is a YAML parser of its own (no libyaml inside);
/// aliases are not expanded, so no document can make the value grow.
pub(super) fn yaml_value(text: &str) -> Result<Value, String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    match docs.first() {
        Some(doc) => yaml_to_json(doc, 0),
        None => Err("an empty document".to_string()),
    }
}

fn yaml_to_json(yaml: &yaml_rust2::Yaml, depth: usize) -> Result<Value, String> {
    use yaml_rust2::Yaml;
    if depth > MAX_YAML_DEPTH {
        return Err(format!("nested deeper than {MAX_YAML_DEPTH} levels"));
    }
    Ok(match yaml {
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.clone()), Value::Number),
        Yaml::Integer(n) => Value::from(*n),
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| yaml_to_json(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(map) => {
            let mut object = serde_json::Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(k) => k.clone(),
                    Yaml::Integer(n) => n.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => continue,
                };
                object.insert(key, yaml_to_json(value, depth + 1)?);
            }
            Value::Object(object)
        }
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    })
}
