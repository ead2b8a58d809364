//! Cookbook: recipes (schema.org Recipe as the app stores them), their
//! categories and keywords, and the checks on recipe input. The app's
//! per-user settings are in `config.rs`.

mod config;

pub use config::*;

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecipeStub {
    pub id: u64,
    pub name: String,
    pub keywords: String,
    pub category: Option<String>,
    pub date_created: Option<String>,
    pub date_modified: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Recipe {
    pub id: Option<u64>,
    pub name: String,
    pub description: String,
    pub url: String,
    pub image: String,
    pub prep_time: Option<String>,
    pub cook_time: Option<String>,
    pub total_time: Option<String>,
    pub recipe_yield: Option<i64>,
    pub category: String,
    /// Comma-separated, as the app stores them.
    pub keywords: String,
    pub ingredients: Vec<String>,
    pub instructions: Vec<String>,
    pub tools: Vec<String>,
    pub date_created: Option<String>,
    pub date_modified: Option<String>,
    /// Every other schema.org field the app keeps (nutrition, author, ...),
    /// sent back unchanged on update so nothing is lost.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// A category or keyword with the number of recipes that carry it (`*` is
/// the count of recipes without a category).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TagCount {
    pub name: String,
    pub recipe_count: u64,
}

/// A change to a recipe; `None` keeps a field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecipePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub prep_time: Option<String>,
    pub cook_time: Option<String>,
    pub total_time: Option<String>,
    pub recipe_yield: Option<i64>,
    pub category: Option<String>,
    pub keywords: Option<String>,
    pub ingredients: Option<Vec<String>>,
    pub instructions: Option<Vec<String>>,
}

impl RecipePatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks every given field and normalises times and keywords.
    pub fn checked(mut self) -> Result<Self, RecipeInputError> {
        if let Some(name) = &self.name {
            self.name = Some(check_name(name)?);
        }
        for (field, value) in [
            ("prep_time", &mut self.prep_time),
            ("cook_time", &mut self.cook_time),
            ("total_time", &mut self.total_time),
        ] {
            if let Some(raw) = value.as_deref() {
                *value = Some(parse_duration(field, raw)?);
            }
        }
        if let Some(url) = &self.url {
            check_url(url)?;
        }
        if let Some(y) = self.recipe_yield
            && !(0..=MAX_YIELD).contains(&y)
        {
            return Err(RecipeInputError::BadYield(y));
        }
        if let Some(k) = &self.keywords {
            self.keywords = Some(normalise_keywords(k));
        }
        for (field, list) in [
            ("ingredients", &self.ingredients),
            ("instructions", &self.instructions),
        ] {
            check_list(field, list.as_deref().unwrap_or_default())?;
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.len() > MAX_TEXT_BYTES)
        {
            return Err(RecipeInputError::TooLarge("description"));
        }
        Ok(self)
    }

    pub fn apply(self, recipe: &mut Recipe) {
        let Self {
            name,
            description,
            url,
            prep_time,
            cook_time,
            total_time,
            recipe_yield,
            category,
            keywords,
            ingredients,
            instructions,
        } = self;
        set(&mut recipe.name, name);
        set(&mut recipe.description, description);
        set(&mut recipe.url, url);
        set(&mut recipe.category, category);
        set(&mut recipe.keywords, keywords);
        set(&mut recipe.ingredients, ingredients);
        set(&mut recipe.instructions, instructions);
        if prep_time.is_some() {
            recipe.prep_time = prep_time;
        }
        if cook_time.is_some() {
            recipe.cook_time = cook_time;
        }
        if total_time.is_some() {
            recipe.total_time = total_time;
        }
        if recipe_yield.is_some() {
            recipe.recipe_yield = recipe_yield;
        }
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

pub const MAX_NAME_CHARS: usize = 255;
pub const MAX_LIST_ITEMS: usize = 500;
pub const MAX_ITEM_CHARS: usize = 5000;
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
pub const MAX_YIELD: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipeInputError {
    #[error("the recipe name is empty")]
    EmptyName,
    #[error("the recipe name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error(
        "{0} '{1}' is not a duration; use minutes (90), hours and minutes (1:30) or ISO 8601 (PT1H30M)"
    )]
    BadDuration(&'static str, String),
    #[error("'{0}' is not a web address; it must start with http:// or https://")]
    BadUrl(String),
    #[error("recipe_yield {0} is out of range (0 to {MAX_YIELD} servings)")]
    BadYield(i64),
    #[error(
        "{0} has more than {MAX_LIST_ITEMS} entries or an entry longer than {MAX_ITEM_CHARS} characters"
    )]
    ListTooLarge(&'static str),
    #[error("{0} is too large")]
    TooLarge(&'static str),
    #[error("nothing to change: give at least one recipe field")]
    EmptyUpdate,
    #[error("{0} is empty")]
    Empty(&'static str),
}

pub fn check_name(name: &str) -> Result<String, RecipeInputError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(RecipeInputError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(RecipeInputError::NameTooLong);
    }
    Ok(name.to_string())
}

pub fn check_url(url: &str) -> Result<(), RecipeInputError> {
    let url = url.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.len() <= 2048
        && !url.chars().any(char::is_whitespace);
    if url.is_empty() || ok {
        Ok(())
    } else {
        Err(RecipeInputError::BadUrl(url.to_string()))
    }
}

fn check_list(field: &'static str, items: &[String]) -> Result<(), RecipeInputError> {
    if items.len() > MAX_LIST_ITEMS || items.iter().any(|i| i.chars().count() > MAX_ITEM_CHARS) {
        return Err(RecipeInputError::ListTooLarge(field));
    }
    Ok(())
}

/// Keywords as the app stores them: trimmed, comma-separated, no empties.
impl RecipeStub {
    /// Whether the recipe carries every one of `wanted` (compared without
    /// regard to case or surrounding spaces).
    pub fn has_keywords(&self, wanted: &[String]) -> bool {
        let own: Vec<String> = self
            .keywords
            .split(',')
            .map(|k| k.trim().to_lowercase())
            .collect();
        wanted
            .iter()
            .all(|w| own.iter().any(|k| *k == w.trim().to_lowercase()))
    }
}

pub fn normalise_keywords(raw: &str) -> String {
    raw.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

/// A duration as ISO 8601 (`PT1H30M0S`) from minutes, `H:MM` or ISO 8601.
/// An empty value clears the field (the app stores it as null).
pub fn parse_duration(field: &'static str, raw: &str) -> Result<String, RecipeInputError> {
    let bad = || RecipeInputError::BadDuration(field, raw.to_string());
    let s = raw.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let minutes: u64 = if let Ok(m) = s.parse::<u64>() {
        m
    } else if let Some((h, m)) = s.split_once(':') {
        let h: u64 = h.trim().parse().map_err(|_| bad())?;
        let m: u64 = m.trim().parse().map_err(|_| bad())?;
        if m > 59 {
            return Err(bad());
        }
        h * 60 + m
    } else {
        let upper = s.to_ascii_uppercase();
        let body = upper.strip_prefix("PT").ok_or_else(bad)?;
        let (mut total, mut number) = (0u64, String::new());
        for c in body.chars() {
            match c {
                '0'..='9' => number.push(c),
                'H' | 'M' | 'S' => {
                    let n: u64 = number.parse().map_err(|_| bad())?;
                    number.clear();
                    total += match c {
                        'H' => n * 60,
                        'M' => n,
                        _ => n / 60,
                    };
                }
                _ => return Err(bad()),
            }
        }
        if !number.is_empty() {
            return Err(bad());
        }
        total
    };
    if minutes > 60 * 24 * 30 {
        return Err(bad());
    }
    Ok(format!("PT{}H{}M0S", minutes / 60, minutes % 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_normalised() {
        for (raw, want) in [
            ("90", "PT1H30M0S"),
            ("1:05", "PT1H5M0S"),
            ("PT0H30M", "PT0H30M0S"),
            ("pt2h", "PT2H0M0S"),
            ("", ""),
        ] {
            assert_eq!(parse_duration("prep_time", raw).unwrap(), want, "{raw}");
        }
        for bad in ["soon", "1:75", "PT1X", "P1D"] {
            assert!(parse_duration("prep_time", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn patches_are_checked_and_applied() {
        let patch = RecipePatch {
            name: Some("  Pancakes ".into()),
            prep_time: Some("15".into()),
            keywords: Some(" sweet, ,breakfast ".into()),
            recipe_yield: Some(4),
            ..RecipePatch::default()
        }
        .checked()
        .unwrap();
        let mut recipe = Recipe {
            name: "Old".into(),
            description: "kept".into(),
            ..Recipe::default()
        };
        patch.apply(&mut recipe);
        assert_eq!(recipe.name, "Pancakes");
        assert_eq!(recipe.description, "kept");
        assert_eq!(recipe.prep_time.as_deref(), Some("PT0H15M0S"));
        assert_eq!(recipe.keywords, "sweet,breakfast");
        assert_eq!(recipe.recipe_yield, Some(4));
        assert!(RecipePatch::default().is_empty());
        let bad_url = RecipePatch {
            url: Some("ftp://x".into()),
            ..RecipePatch::default()
        };
        assert!(matches!(
            bad_url.checked(),
            Err(RecipeInputError::BadUrl(_))
        ));
        let bad_yield = RecipePatch {
            recipe_yield: Some(-1),
            ..RecipePatch::default()
        };
        assert_eq!(bad_yield.checked(), Err(RecipeInputError::BadYield(-1)));
    }
}
