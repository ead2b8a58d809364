//! Cookbook tools for reading (`nc_cookbook_*`, named like the reference
//! server's); creating, changing, deleting and importing are in
//! `edit.rs`, settings and the search index in `admin.rs`.

mod admin;
mod edit;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::cookbook::{Recipe, RecipeInputError, RecipeStub, TagCount};
use crate::domain::scopes::Scope;

/// Cookbook is an optional app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Cookbook),
        Access::read_write(Scope::CookbookRead, Scope::CookbookWrite),
        NextcloudMcp::cookbook_router()
            + NextcloudMcp::cookbook_edit_router()
            + NextcloudMcp::cookbook_admin_router(),
    )
}

/// A recipe stub is a few hundred bytes: 100 keep a page well under 50 KB.
const DEFAULT_RECIPES: usize = 100;
const MAX_RECIPES: usize = 500;
/// Categories and keywords are a name and a count each.
const DEFAULT_TAGS: usize = 200;
const MAX_TAGS: usize = 1000;

fn stub_text(heading: String, total: usize, stubs: &[RecipeStub]) -> String {
    let mut text = format!("{heading}: {total}");
    for s in stubs {
        text.push_str(&format!("\n- {} (recipe {})", s.name, s.id));
        if !s.keywords.is_empty() {
            text.push_str(&format!(" [{}]", s.keywords));
        }
    }
    text
}

fn stubs_result(heading: String, stubs: Vec<RecipeStub>, paging: &PageRequest) -> CallToolResult {
    let (shown, page) = paging.page(&stubs);
    let text = page.under(stub_text(heading, stubs.len(), shown), shown.len());
    success(
        &json!({ "recipes": shown, "total": stubs.len(), "page": page }),
        text,
    )
}

fn tags_result(kind: &str, tags: Vec<TagCount>, paging: &PageRequest) -> CallToolResult {
    let (shown, page) = paging.page(&tags);
    let mut text = format!("{kind}: {}", tags.len());
    for t in shown {
        let name = if t.name == "*" {
            "(none)"
        } else {
            t.name.as_str()
        };
        text.push_str(&format!("\n- {name}: {} recipes", t.recipe_count));
    }
    let text = page.under(text, shown.len());
    success(&json!({ kind.to_lowercase(): shown, "page": page }), text)
}

fn recipe_text(r: &Recipe) -> String {
    let mut text = format!("# {} (recipe {})", r.name, r.id.unwrap_or_default());
    if !r.description.is_empty() {
        text.push_str(&format!("\n{}", r.description));
    }
    for (label, value) in [
        ("prep", &r.prep_time),
        ("cook", &r.cook_time),
        ("total", &r.total_time),
    ] {
        if let Some(v) = value {
            text.push_str(&format!("\n{label} time: {v}"));
        }
    }
    if let Some(y) = r.recipe_yield {
        text.push_str(&format!("\nserves: {y}"));
    }
    text.push_str("\n\nIngredients:");
    r.ingredients
        .iter()
        .for_each(|i| text.push_str(&format!("\n- {i}")));
    text.push_str("\n\nInstructions:");
    for (n, step) in r.instructions.iter().enumerate() {
        text.push_str(&format!("\n{}. {step}", n + 1));
    }
    text
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RecipeIdArgs {
    /// The recipe's numeric id (from a list or search).
    pub recipe_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchRecipesArgs {
    /// Words to look for in names, keywords and categories.
    pub query: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CategoryArgs {
    /// A category name from nc_cookbook_list_categories ("_" for recipes without one).
    pub category: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct KeywordsArgs {
    /// Keywords the recipes must all have, e.g. ["vegetarian", "quick"].
    pub keywords: Vec<String>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[tool_router(router = cookbook_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_cookbook_list_recipes",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_cookbook_list_recipes"),
        description = "List all recipes in the user's cookbook (name, id, keywords).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_list_recipes(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_RECIPES, MAX_RECIPES)?;
        let stubs = self
            .nextcloud(&request)
            .await?
            .list_recipes()
            .await
            .or_fail()?;
        Ok(stubs_result("Recipes".into(), stubs, &paging))
    }

    #[tool(
        name = "nc_cookbook_search_recipes",
        input_schema = crate::adapters::mcp::schema::input::<SearchRecipesArgs>("nc_cookbook_search_recipes"),
        description = "Search recipes by words in their name, keywords or category.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_search_recipes(
        &self,
        Parameters(args): Parameters<SearchRecipesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let query = args.query.trim();
        if query.is_empty() || query.chars().count() > 200 {
            return Err(failure("query must be 1 to 200 characters"));
        }
        let paging = args.page.request(DEFAULT_RECIPES, MAX_RECIPES)?;
        let stubs = self
            .nextcloud(&request)
            .await?
            .search_recipes(query)
            .await
            .or_fail()?;
        Ok(stubs_result(
            format!("Recipes matching '{query}'"),
            stubs,
            &paging,
        ))
    }

    #[tool(
        name = "nc_cookbook_get_recipes_in_category",
        input_schema = crate::adapters::mcp::schema::input::<CategoryArgs>("nc_cookbook_get_recipes_in_category"),
        description = "List the recipes of one category.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_get_recipes_in_category(
        &self,
        Parameters(args): Parameters<CategoryArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let category = args.category.trim();
        if category.is_empty() {
            return Err(failure(RecipeInputError::Empty("category")));
        }
        let paging = args.page.request(DEFAULT_RECIPES, MAX_RECIPES)?;
        let nextcloud = self.nextcloud(&request).await?;
        let stubs = nextcloud.recipes_in_category(category).await.or_fail()?;
        Ok(stubs_result(
            format!("Recipes in '{category}'"),
            stubs,
            &paging,
        ))
    }

    #[tool(
        name = "nc_cookbook_get_recipes_with_keywords",
        input_schema = crate::adapters::mcp::schema::input::<KeywordsArgs>("nc_cookbook_get_recipes_with_keywords"),
        description = "List the recipes that carry all the given keywords.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_get_recipes_with_keywords(
        &self,
        Parameters(args): Parameters<KeywordsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let keywords: Vec<String> = args
            .keywords
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        if keywords.is_empty() || keywords.len() > 20 || keywords.iter().any(|k| k.contains(',')) {
            return Err(failure("give 1 to 20 keywords, each without commas"));
        }
        let paging = args.page.request(DEFAULT_RECIPES, MAX_RECIPES)?;
        let nextcloud = self.nextcloud(&request).await?;
        let stubs = nextcloud.recipes_with_keywords(&keywords).await.or_fail()?;
        Ok(stubs_result(
            format!("Recipes with {}", keywords.join(", ")),
            stubs,
            &paging,
        ))
    }

    #[tool(
        name = "nc_cookbook_get_recipe",
        input_schema = crate::adapters::mcp::schema::input::<RecipeIdArgs>("nc_cookbook_get_recipe"),
        description = "Get a recipe: description, times, servings, ingredients and instructions.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_get_recipe(
        &self,
        Parameters(args): Parameters<RecipeIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let recipe = self
            .nextcloud(&request)
            .await?
            .get_recipe(args.recipe_id)
            .await
            .or_fail()?;
        Ok(success(&recipe, recipe_text(&recipe)))
    }

    #[tool(
        name = "nc_cookbook_list_categories",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_cookbook_list_categories"),
        description = "List recipe categories with the number of recipes in each.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_list_categories(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_TAGS, MAX_TAGS)?;
        let tags = self
            .nextcloud(&request)
            .await?
            .list_categories()
            .await
            .or_fail()?;
        Ok(tags_result("Categories", tags, &paging))
    }

    #[tool(
        name = "nc_cookbook_list_keywords",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_cookbook_list_keywords"),
        description = "List recipe keywords with the number of recipes carrying each.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_cookbook_list_keywords(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_TAGS, MAX_TAGS)?;
        let tags = self
            .nextcloud(&request)
            .await?
            .list_keywords()
            .await
            .or_fail()?;
        Ok(tags_result("Keywords", tags, &paging))
    }
}
