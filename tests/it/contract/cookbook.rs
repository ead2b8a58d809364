//! The Cookbook adapter against the documented API v1 shapes (the app's
//! OpenAPI 0.1.x: RecipeStub, Recipe, Category, Keyword), and at the end
//! against captures of Cookbook 0.11.9.

use crate::support::fixtures::{admin_session, load, only_request, replay_capture};
use nextcloud_mcp::domain::cookbook::{Recipe, RecipePatch};
use nextcloud_mcp::ports::nextcloud::{CookbookApi, NextcloudError};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const API: &str = "/index.php/apps/cookbook/api/v1";

async fn answering(verb: &str, at: &str, reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(format!("{API}{at}")))
        .respond_with(reply)
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn stubs() -> Value {
    json!([
        { "recipe_id": 123, "id": "123", "name": "Baked bananas", "keywords": "sweets,fruit",
          "dateCreated": "2022-01-02T16:12:41+0000", "dateModified": "2022-01-10T10:02:52+0000",
          "imageUrl": "", "imagePlaceholderUrl": "" },
        { "recipe_id": "124", "name": "Soup", "keywords": null, "dateCreated": "2022-01-02T16:12:41+0000",
          "imageUrl": "", "imagePlaceholderUrl": "" }
    ])
}

fn bananas() -> Value {
    json!({
        "@type": "Recipe", "id": "123", "name": "Baked bananas", "description": "Sweet",
        "image": "", "recipeYield": 5, "prepTime": "PT0H15M", "cookTime": null, "totalTime": "PT1H20M",
        "url": "", "tool": [], "recipeCategory": "Dessert", "keywords": "banana,sweet",
        "recipeIngredient": ["3 ripe bananas", "100g sugar"],
        "recipeInstructions": ["Peel the bananas", "Bake"],
        "nutrition": {"@type": "NutritionInformation", "calories": "650 kcal"},
        "dateCreated": "2022-01-02T16:12:41+0000", "dateModified": "2022-01-10T10:02:52+0000"
    })
}

#[tokio::test]
async fn lists_searches_and_filters() {
    let server = answering("GET", "/recipes", ok(stubs())).await;
    let recipes = admin_session(&server).list_recipes().await.unwrap();
    let sent = only_request(&server).await;
    assert_eq!(sent.headers.get("accept").unwrap(), "application/json");
    assert_eq!(
        recipes.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![123, 124]
    );
    assert_eq!(recipes[1].keywords, "");

    let server = answering("GET", "/search/apple%20pie", ok(stubs())).await;
    assert_eq!(
        admin_session(&server)
            .search_recipes("apple pie")
            .await
            .unwrap()
            .len(),
        2
    );

    let server = answering("GET", "/category/Main%20dishes", ok(json!([]))).await;
    assert!(
        admin_session(&server)
            .recipes_in_category("Main dishes")
            .await
            .unwrap()
            .is_empty()
    );

    let server = answering("GET", "/tags/vegetarian%2Cquick", ok(stubs())).await;
    let keywords = vec!["vegetarian".to_string(), "quick".to_string()];
    assert_eq!(
        admin_session(&server)
            .recipes_with_keywords(&keywords)
            .await
            .unwrap()
            .len(),
        2
    );

    let server = answering(
        "GET",
        "/categories",
        ok(json!([{"name": "Dinner", "recipe_count": 21}, {"name": "*", "recipe_count": 3}])),
    )
    .await;
    let categories = admin_session(&server).list_categories().await.unwrap();
    assert_eq!(
        (categories[0].name.as_str(), categories[0].recipe_count),
        ("Dinner", 21)
    );

    let server = answering(
        "GET",
        "/keywords",
        ok(json!([{"name": "sweet", "recipe_count": 2}])),
    )
    .await;
    assert_eq!(
        admin_session(&server).list_keywords().await.unwrap()[0].name,
        "sweet"
    );
}

#[tokio::test]
async fn a_recipe_is_read_and_updated_without_losing_fields() {
    let server = answering("GET", "/recipes/123", ok(bananas())).await;
    let mut recipe = admin_session(&server).get_recipe(123).await.unwrap();
    assert_eq!(recipe.name, "Baked bananas");
    assert_eq!(recipe.recipe_yield, Some(5));
    assert_eq!(recipe.ingredients.len(), 2);
    assert_eq!(recipe.category, "Dessert");

    RecipePatch {
        recipe_yield: Some(6),
        ..RecipePatch::default()
    }
    .apply(&mut recipe);
    let server = answering("PUT", "/recipes/123", ok(json!(123))).await;
    assert_eq!(
        admin_session(&server)
            .update_recipe(123, &recipe)
            .await
            .unwrap(),
        123
    );
    let sent: Value = serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(sent["recipeYield"], 6);
    assert_eq!(
        sent["nutrition"]["calories"], "650 kcal",
        "unknown fields survive"
    );
    assert_eq!(
        sent["recipeInstructions"],
        json!(["Peel the bananas", "Bake"])
    );
    assert_eq!(sent["cookTime"], Value::Null);
}

#[tokio::test]
async fn create_import_and_delete() {
    let recipe = Recipe {
        name: "Pancakes".into(),
        ingredients: vec!["200 g flour".into()],
        instructions: vec!["Mix".into(), "Fry".into()],
        prep_time: Some("PT0H10M0S".into()),
        recipe_yield: Some(2),
        ..Recipe::default()
    };
    let server = answering("POST", "/recipes", ok(json!(2462))).await;
    assert_eq!(
        admin_session(&server).create_recipe(&recipe).await.unwrap(),
        2462
    );
    let sent: Value = serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(sent["name"], "Pancakes");
    assert_eq!(sent["recipeIngredient"], json!(["200 g flour"]));
    assert_eq!(sent["prepTime"], "PT0H10M0S");
    assert!(sent.get("id").is_none(), "a new recipe has no id");

    let server = answering("POST", "/import", ok(bananas())).await;
    let imported = admin_session(&server)
        .import_recipe("https://example.com/bananas")
        .await
        .unwrap();
    assert_eq!(imported.id, Some(123));
    let sent: Value = serde_json::from_slice(&only_request(&server).await.body).unwrap();
    assert_eq!(sent, json!({"url": "https://example.com/bananas"}));

    let server = answering(
        "DELETE",
        "/recipes/123",
        ok(json!("Recipe 123 deleted successfully")),
    )
    .await;
    admin_session(&server).delete_recipe(123).await.unwrap();
}

#[tokio::test]
async fn documented_errors_are_mapped() {
    let exists =
        json!({"msg": "Another recipe with that name already exists", "file": "/x.php", "line": 1});
    let server = answering(
        "POST",
        "/import",
        ResponseTemplate::new(409).set_body_json(exists),
    )
    .await;
    assert_eq!(
        admin_session(&server)
            .import_recipe("https://example.com/x")
            .await
            .unwrap_err(),
        NextcloudError::AlreadyExists("a recipe with that name".into())
    );

    let server = answering(
        "POST",
        "/import",
        ResponseTemplate::new(400).set_body_json(json!("Field \"url\" is required")),
    )
    .await;
    assert_eq!(
        admin_session(&server)
            .import_recipe("https://example.com/x")
            .await
            .unwrap_err(),
        NextcloudError::BadRequest("Field \"url\" is required".into())
    );

    let server = answering(
        "GET",
        "/recipes/9",
        ResponseTemplate::new(404).set_body_json(json!(9)),
    )
    .await;
    assert_eq!(
        admin_session(&server).get_recipe(9).await.unwrap_err(),
        NextcloudError::NotFound("recipe 9".into())
    );

    // The captured answer of a server without Cookbook.
    let server = MockServer::start().await;
    load("tables-absent", "04-cookbook-recipes")
        .mount(&server)
        .await;
    assert_eq!(
        admin_session(&server).list_recipes().await.unwrap_err(),
        NextcloudError::NotFound("the recipe list".into())
    );
}

// ----- Against the Cookbook 0.11.9 captures -----

#[tokio::test]
async fn keywords_are_found_although_cookbooks_query_answers_nothing() {
    // On SQLite `/tags/<keyword>` answers [] for a keyword the recipes carry.
    let server = MockServer::start().await;
    load("cookbook", "21-tags-recipes").mount(&server).await;
    load("cookbook", "14-recipes-list").mount(&server).await;
    let found = admin_session(&server)
        .recipes_with_keywords(&["fxquick".to_string()])
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        vec!["fx-Tomato Soup"]
    );

    // Every keyword must be carried; case does not matter.
    let server = MockServer::start().await;
    load("cookbook", "22-tags-recipes-two").mount(&server).await;
    load("cookbook", "14-recipes-list").mount(&server).await;
    let both = admin_session(&server)
        .recipes_with_keywords(&["fxquick".to_string(), "fxvegan".to_string()])
        .await
        .unwrap();
    assert_eq!(both.len(), 1);
    assert!(!both[0].has_keywords(&["fxquick".to_string(), "fxsweet".to_string()]));
    assert!(both[0].has_keywords(&["FXQuick".to_string()]));
}

#[tokio::test]
async fn a_duplicate_name_says_already_exists_once() {
    let (_server, _exchange, session) =
        replay_capture("cookbook", "07-recipe-create-duplicate-name").await;
    let recipe = Recipe {
        name: "fx-Tomato Soup".into(),
        ..Recipe::default()
    };
    let err = session.create_recipe(&recipe).await.unwrap_err();
    assert_eq!(err.to_string(), "a recipe with that name already exists");
}
