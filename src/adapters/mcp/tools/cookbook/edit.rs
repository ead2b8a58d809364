//! Cookbook tools that change recipes (`nc_cookbook_*`): create, update,
//! delete and import from a web page.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{RecipeIdArgs, recipe_text};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::cookbook::{Recipe, RecipeInputError, RecipePatch, check_name, check_url};
use crate::ports::nextcloud::NextcloudError;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ImportArgs {
    /// Web page of a recipe with schema.org Recipe data (most recipe sites).
    pub url: String,
}

/// The recipe fields a model can set; all optional except on create.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RecipeFields {
    /// Short description.
    #[serde(default)]
    pub description: Option<String>,
    /// One ingredient per entry, e.g. "200 g flour".
    #[serde(default)]
    pub ingredients: Option<Vec<String>>,
    /// One step per entry.
    #[serde(default)]
    pub instructions: Option<Vec<String>>,
    /// Where the recipe comes from (http or https).
    #[serde(default)]
    pub url: Option<String>,
    /// Preparation time: minutes ("15"), hours:minutes ("1:30") or ISO 8601 ("PT15M").
    #[serde(default)]
    pub prep_time: Option<String>,
    /// Cooking time, same forms as prep_time.
    #[serde(default)]
    pub cook_time: Option<String>,
    /// Total time, same forms as prep_time.
    #[serde(default)]
    pub total_time: Option<String>,
    /// Number of servings.
    #[serde(default)]
    pub recipe_yield: Option<i64>,
    /// Category, e.g. "Dessert".
    #[serde(default)]
    pub category: Option<String>,
    /// Comma-separated keywords, e.g. "vegetarian,quick".
    #[serde(default)]
    pub keywords: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateRecipeArgs {
    /// The recipe's name (must be unique in the cookbook).
    pub name: String,
    #[serde(flatten)]
    pub fields: RecipeFields,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateRecipeArgs {
    /// The recipe's numeric id, as returned by list or search.
    pub recipe_id: u64,
    /// New name; omit to keep it.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub fields: RecipeFields,
}

fn patch(name: Option<String>, f: RecipeFields) -> Result<RecipePatch, CallToolResult> {
    RecipePatch {
        name,
        description: f.description,
        url: f.url,
        prep_time: f.prep_time,
        cook_time: f.cook_time,
        total_time: f.total_time,
        recipe_yield: f.recipe_yield,
        category: f.category.map(|c| c.trim().to_string()),
        keywords: f.keywords,
        ingredients: f.ingredients,
        instructions: f.instructions,
    }
    .checked()
    .or_fail()
}

#[tool_router(router = cookbook_edit_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_cookbook_create_recipe",
        input_schema = crate::adapters::mcp::schema::input::<CreateRecipeArgs>("nc_cookbook_create_recipe"),
        description = "Create a recipe from a name, ingredients, instructions and optional details (times, servings, category, keywords).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_create_recipe(
        &self,
        Parameters(args): Parameters<CreateRecipeArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let name = check_name(&args.name).or_fail()?;
        let changes = patch(Some(name), args.fields)?;
        let mut recipe = Recipe {
            recipe_yield: Some(1),
            ..Recipe::default()
        };
        changes.apply(&mut recipe);
        let id = self
            .nextcloud(&request)
            .await?
            .create_recipe(&recipe)
            .await
            .or_fail()?;
        recipe.id = Some(id);
        Ok(success(
            &recipe,
            format!("Created recipe '{}' (id {id})", recipe.name),
        ))
    }

    #[tool(
        name = "nc_cookbook_update_recipe",
        input_schema = crate::adapters::mcp::schema::input::<UpdateRecipeArgs>("nc_cookbook_update_recipe"),
        description = "Change some fields of a recipe; fields you omit (and fields this tool does not know, such as nutrition) stay as they are.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_update_recipe(
        &self,
        Parameters(args): Parameters<UpdateRecipeArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let changes = patch(args.name, args.fields)?;
        if changes.is_empty() {
            return Err(failure(RecipeInputError::EmptyUpdate));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let mut recipe = nextcloud.get_recipe(args.recipe_id).await.or_fail()?;
        changes.apply(&mut recipe);
        recipe.id = Some(args.recipe_id);
        nextcloud
            .update_recipe(args.recipe_id, &recipe)
            .await
            .or_fail()?;
        Ok(success(
            &recipe,
            format!("Updated recipe '{}' (id {})", recipe.name, args.recipe_id),
        ))
    }

    #[tool(
        name = "nc_cookbook_delete_recipe",
        input_schema = crate::adapters::mcp::schema::input::<RecipeIdArgs>("nc_cookbook_delete_recipe"),
        description = "Delete a recipe (its folder in the user's files goes to the trash bin). Says so when there is no such recipe.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_delete_recipe(
        &self,
        Parameters(args): Parameters<RecipeIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let cookbook = self.nextcloud(&request).await?;
        // Cookbook's DELETE answers 200 "deleted successfully" also for an
        // id that does not exist or is another user's (fixtures cookbook/34,
        // 37, 38): only reading the recipe first tells.
        let recipe = match cookbook.get_recipe(args.recipe_id).await {
            Ok(recipe) => recipe,
            Err(NextcloudError::NotFound(_)) => {
                return Err(failure(format!(
                    "no such recipe: recipe {} does not exist (or is not yours); nothing was deleted. nc_cookbook_list_recipes lists your recipes",
                    args.recipe_id
                )));
            }
            Err(other) => return Err(failure(other)),
        };
        cookbook.delete_recipe(args.recipe_id).await.or_fail()?;
        Ok(success(
            &json!({ "deleted": args.recipe_id, "name": recipe.name }),
            format!("Deleted recipe {} ('{}')", args.recipe_id, recipe.name),
        ))
    }

    #[tool(
        name = "nc_cookbook_import_recipe",
        input_schema = crate::adapters::mcp::schema::input::<ImportArgs>("nc_cookbook_import_recipe"),
        description = "Import a recipe from a web page that publishes schema.org recipe data; the Nextcloud server fetches the page.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_import_recipe(
        &self,
        Parameters(args): Parameters<ImportArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let url = args.url.trim();
        if url.is_empty() {
            return Err(failure(RecipeInputError::Empty("url")));
        }
        check_url(url).or_fail()?;
        let recipe = self
            .nextcloud(&request)
            .await?
            .import_recipe(url)
            .await
            .or_fail()?;
        let text = format!("Imported:\n{}", recipe_text(&recipe));
        Ok(success(&recipe, text))
    }
}
