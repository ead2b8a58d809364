//! Cookbook API v1 (`/index.php/apps/cookbook/api/v1`). Recipes are
//! schema.org Recipe JSON; fields this server does not model are kept and
//! sent back on update.
//!
//! Built from the app's published OpenAPI (0.1.x) and checked against
//! captures of Cookbook 0.11.9.

use async_trait::async_trait;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::body::error_bytes;
use super::errors::cookbook_status;
use super::http::NextcloudSession;
use super::ocs::{parse_json, read_body};
use crate::domain::cookbook::{Recipe, RecipeStub, TagCount};
use crate::ports::nextcloud::{CookbookApi, NextcloudError};

const API: &str = "index.php/apps/cookbook/api/v1";

fn id_of(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Strings of a list; schema.org steps (`{"text": ...}`) and sections
/// (`{"itemListElement": [...]}`) are flattened to their text.
fn strings(value: Option<&Value>) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            Value::Object(map) => {
                if let Some(t) = map.get("text").and_then(Value::as_str) {
                    out.push(t.to_string());
                } else if let Some(list) = map.get("itemListElement") {
                    collect(list, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(value) = value {
        collect(value, &mut out);
    }
    out
}

fn keywords(value: Option<&Value>) -> String {
    match value {
        Some(Value::Array(items)) => strings(Some(&Value::Array(items.clone()))).join(","),
        other => text(other).unwrap_or_default(),
    }
}

const KNOWN: [&str; 16] = [
    "id",
    "name",
    "description",
    "url",
    "image",
    "prepTime",
    "cookTime",
    "totalTime",
    "recipeYield",
    "recipeCategory",
    "keywords",
    "recipeIngredient",
    "recipeInstructions",
    "tool",
    "dateCreated",
    "dateModified",
];

fn recipe_from(mut map: Map<String, Value>) -> Recipe {
    let get = |k: &str| map.get(k);
    let recipe = Recipe {
        id: id_of(get("id")),
        name: text(get("name")).unwrap_or_default(),
        description: text(get("description")).unwrap_or_default(),
        url: text(get("url")).unwrap_or_default(),
        image: text(get("image")).unwrap_or_default(),
        prep_time: text(get("prepTime")).filter(|t| !t.is_empty()),
        cook_time: text(get("cookTime")).filter(|t| !t.is_empty()),
        total_time: text(get("totalTime")).filter(|t| !t.is_empty()),
        recipe_yield: match get("recipeYield") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        },
        category: text(get("recipeCategory")).unwrap_or_default(),
        keywords: keywords(get("keywords")),
        ingredients: strings(get("recipeIngredient")),
        instructions: strings(get("recipeInstructions")),
        tools: strings(get("tool")),
        date_created: text(get("dateCreated")),
        date_modified: text(get("dateModified")),
        extra: Map::new(),
    };
    for key in KNOWN {
        map.remove(key);
    }
    Recipe {
        extra: map,
        ..recipe
    }
}

/// The JSON the app stores: the kept fields, then the modelled ones.
fn recipe_json(recipe: &Recipe) -> Value {
    let mut map = recipe.extra.clone();
    let time = |t: &Option<String>| match t.as_deref() {
        None | Some("") => Value::Null,
        Some(t) => json!(t),
    };
    let fields = [
        ("name", json!(recipe.name)),
        ("description", json!(recipe.description)),
        ("url", json!(recipe.url)),
        ("image", json!(recipe.image)),
        ("prepTime", time(&recipe.prep_time)),
        ("cookTime", time(&recipe.cook_time)),
        ("totalTime", time(&recipe.total_time)),
        ("recipeYield", json!(recipe.recipe_yield.unwrap_or(1))),
        ("recipeCategory", json!(recipe.category)),
        ("keywords", json!(recipe.keywords)),
        ("recipeIngredient", json!(recipe.ingredients)),
        ("recipeInstructions", json!(recipe.instructions)),
        ("tool", json!(recipe.tools)),
    ];
    for (key, value) in fields {
        map.insert(key.to_string(), value);
    }
    if let Some(id) = recipe.id {
        map.insert("id".into(), json!(id.to_string()));
    }
    Value::Object(map)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStub {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default, rename = "recipe_id")]
    recipe_id: Option<Value>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    keywords: Option<Value>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    date_created: Option<String>,
    #[serde(default)]
    date_modified: Option<String>,
}

fn stubs(wire: Vec<WireStub>) -> Vec<RecipeStub> {
    wire.into_iter()
        .filter_map(|s| {
            Some(RecipeStub {
                id: id_of(s.id.as_ref()).or_else(|| id_of(s.recipe_id.as_ref()))?,
                name: s.name,
                keywords: keywords(s.keywords.as_ref()),
                category: s.category,
                date_created: s.date_created,
                date_modified: s.date_modified,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct WireTag {
    name: String,
    #[serde(default)]
    recipe_count: u64,
}

fn segment(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

fn recipe(id: u64) -> String {
    format!("recipe {id}")
}

impl NextcloudSession {
    fn cookbook(&self, method: Method, path: &str) -> Result<RequestBuilder, NextcloudError> {
        Ok(self.json_request(method, self.url(&format!("{API}/{path}"))?))
    }

    /// Cookbook errors carry `{"msg": ...}` or a bare JSON string; 409 means
    /// a recipe with that name exists already.
    async fn cookbook_call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status.is_success() {
            return parse_json(&read_body(response, what).await?, what);
        }
        let body = error_bytes(response).await;
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| match v {
                Value::String(s) => Some(s),
                Value::Object(m) => text(m.get("msg").or_else(|| m.get("message"))),
                _ => None,
            });
        Err(cookbook_status(status, what, message))
    }
}

#[async_trait]
impl CookbookApi for NextcloudSession {
    async fn list_recipes(&self) -> Result<Vec<RecipeStub>, NextcloudError> {
        let request = self.cookbook(Method::GET, "recipes")?;
        Ok(stubs(self.cookbook_call(request, "the recipe list").await?))
    }

    async fn search_recipes(&self, query: &str) -> Result<Vec<RecipeStub>, NextcloudError> {
        let request = self.cookbook(Method::GET, &format!("search/{}", segment(query)))?;
        Ok(stubs(
            self.cookbook_call(request, "the recipe search").await?,
        ))
    }

    async fn recipes_in_category(&self, category: &str) -> Result<Vec<RecipeStub>, NextcloudError> {
        let request = self.cookbook(Method::GET, &format!("category/{}", segment(category)))?;
        let what = format!("category '{category}'");
        Ok(stubs(self.cookbook_call(request, &what).await?))
    }

    async fn recipes_with_keywords(
        &self,
        keywords: &[String],
    ) -> Result<Vec<RecipeStub>, NextcloudError> {
        let joined = keywords.join(",");
        let request = self.cookbook(Method::GET, &format!("tags/{}", segment(&joined)))?;
        let what = format!("keywords '{joined}'");
        let found = stubs(self.cookbook_call(request, &what).await?);
        if !found.is_empty() {
            return Ok(found);
        }
        // Cookbook's keyword query never matches on SQLite (it answers `[]`
        // for keywords `/keywords` lists), so an empty answer is checked
        // against the recipe list itself.
        let mut all = self.list_recipes().await?;
        all.retain(|r| r.has_keywords(keywords));
        Ok(all)
    }

    async fn get_recipe(&self, recipe_id: u64) -> Result<Recipe, NextcloudError> {
        let request = self.cookbook(Method::GET, &format!("recipes/{recipe_id}"))?;
        let map: Map<String, Value> = self.cookbook_call(request, &recipe(recipe_id)).await?;
        let mut found = recipe_from(map);
        found.id = found.id.or(Some(recipe_id));
        Ok(found)
    }

    async fn create_recipe(&self, new: &Recipe) -> Result<u64, NextcloudError> {
        let request = self
            .cookbook(Method::POST, "recipes")?
            .json(&recipe_json(new));
        let id: Value = self.cookbook_call(request, "the new recipe").await?;
        id_of(Some(&id)).ok_or_else(|| NextcloudError::Protocol("the new recipe has no id".into()))
    }

    async fn update_recipe(&self, recipe_id: u64, changed: &Recipe) -> Result<u64, NextcloudError> {
        let request = self
            .cookbook(Method::PUT, &format!("recipes/{recipe_id}"))?
            .json(&recipe_json(changed));
        let id: Value = self.cookbook_call(request, &recipe(recipe_id)).await?;
        Ok(id_of(Some(&id)).unwrap_or(recipe_id))
    }

    async fn delete_recipe(&self, recipe_id: u64) -> Result<(), NextcloudError> {
        let request = self.cookbook(Method::DELETE, &format!("recipes/{recipe_id}"))?;
        self.cookbook_call::<Value>(request, &recipe(recipe_id))
            .await
            .map(drop)
    }

    async fn import_recipe(&self, url: &str) -> Result<Recipe, NextcloudError> {
        let request = self
            .cookbook(Method::POST, "import")?
            .json(&json!({ "url": url }));
        let map: Map<String, Value> = self.cookbook_call(request, "the imported recipe").await?;
        Ok(recipe_from(map))
    }

    async fn list_categories(&self) -> Result<Vec<TagCount>, NextcloudError> {
        let request = self.cookbook(Method::GET, "categories")?;
        let wire: Vec<WireTag> = self.cookbook_call(request, "the category list").await?;
        Ok(wire
            .into_iter()
            .map(|t| TagCount {
                name: t.name,
                recipe_count: t.recipe_count,
            })
            .collect())
    }

    async fn list_keywords(&self) -> Result<Vec<TagCount>, NextcloudError> {
        let request = self.cookbook(Method::GET, "keywords")?;
        let wire: Vec<WireTag> = self.cookbook_call(request, "the keyword list").await?;
        Ok(wire
            .into_iter()
            .map(|t| TagCount {
                name: t.name,
                recipe_count: t.recipe_count,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let map = json!({
            "id": "123", "name": "Baked bananas", "recipeYield": "5", "prepTime": "PT0H15M",
            "cookTime": null, "keywords": "banana,sweet",
            "recipeIngredient": ["3 ripe bananas"],
            "recipeInstructions": [{"@type": "HowToStep", "text": "Peel"}, "Bake"],
            "nutrition": {"@type": "NutritionInformation", "calories": "120 kcal"},
            "@type": "Recipe"
        });
        let recipe = recipe_from(map.as_object().unwrap().clone());
        assert_eq!(recipe.id, Some(123));
        assert_eq!(recipe.recipe_yield, Some(5));
        assert_eq!(recipe.cook_time, None);
        assert_eq!(recipe.instructions, vec!["Peel", "Bake"]);
        let back = recipe_json(&recipe);
        assert_eq!(back["nutrition"]["calories"], "120 kcal");
        assert_eq!(back["@type"], "Recipe");
        assert_eq!(back["id"], "123");
        assert_eq!(back["cookTime"], Value::Null);
    }
}
