"""The fixed cast of the simulated workspace: pipelines, their triggers, users and API tokens.

Only identifiers (UUIDs) depend on the world's seed; names, schedules and time zones are the
same in every world, so a demo and a test read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TriggerTemplate:
    """A trigger configured on a pipeline."""

    type: str
    cron_expression: str | None = None
    cron_timezone: str | None = None
    events: tuple[str, ...] = ()
    event_rule: str | None = None


@dataclass(frozen=True)
class PipelineTemplate:
    """A pipeline as a workspace would have it, plus what its logs look like."""

    slug: str
    type: str
    description: str
    #: Which log writer to use: singer, dbt, spark, sql or reverse.
    log_kind: str
    #: The program that writes most lines (`tap-hubspot`, `dbt`, `target-salesforce`).
    tool: str
    #: Streams, models or objects the log talks about.
    items: tuple[str, ...]
    triggers: tuple[TriggerTemplate, ...]
    source: str | None = None
    destination: str | None = None
    transformation: str | None = None
    active: bool = True
    #: Days since the pipeline was created (for created_at / updated_at).
    age_days: int = 200
    #: The table a transformation writes (the transformations list filters on it).
    output_table: str | None = None

    @property
    def connector_slug(self) -> str | None:
        """The connector a source or destination uses (`tap-hubspot` → `hubspot`)."""
        for prefix in ("tap-", "target-"):
            if self.tool.startswith(prefix):
                return self.tool.removeprefix(prefix)
        return None


def _cron(expr: str, tz: str) -> TriggerTemplate:
    return TriggerTemplate("cron", cron_expression=expr, cron_timezone=tz)


def _event(*events: str) -> TriggerTemplate:
    return TriggerTemplate("event", events=events, event_rule="any")


_MANUAL = TriggerTemplate("manual")

PIPELINES: tuple[PipelineTemplate, ...] = (
    PipelineTemplate(
        "hubspot-to-catalog", "extractor",
        "HubSpot CRM contacts, companies and deals into the catalog (raw_hubspot).",
        "singer", "tap-hubspot", ("contacts", "companies", "deals", "owners", "engagements"),
        (_cron("0 */6 * * *", "America/Sao_Paulo"), _MANUAL),
        source="hubspot-prod", age_days=412,
    ),
    PipelineTemplate(
        "salesforce-to-catalog", "extractor",
        "Salesforce accounts, contacts and opportunities, weekdays before the Berlin office opens.",
        "singer", "tap-salesforce", ("Account", "Contact", "Opportunity", "Lead", "User"),
        (_cron("30 2 * * 1-5", "Europe/Berlin"), _MANUAL),
        source="salesforce-eu", age_days=388,
    ),
    PipelineTemplate(
        "postgres-prod-to-catalog", "extractor",
        "Orders and customers from the production Postgres replica (log-based replication).",
        "singer", "tap-postgres",
        ("public-orders", "public-customers", "public-order_items", "public-products"),
        (_cron("*/30 * * * *", "UTC"),),
        source="postgres-prod-replica", age_days=530,
    ),
    PipelineTemplate(
        "stripe-to-catalog", "extractor",
        "Stripe charges, invoices and subscriptions for revenue reporting.",
        "singer", "tap-stripe",
        ("charges", "customers", "invoices", "subscriptions", "balance_transactions"),
        (_cron("15 * * * *", "America/New_York"), _MANUAL),
        source="stripe", age_days=301,
    ),
    PipelineTemplate(
        "google-ads-to-catalog", "extractor",
        "Google Ads campaigns and daily performance for the marketing team.",
        "singer", "tap-google-ads",
        ("campaigns", "ad_groups", "ads", "campaign_performance_report"),
        (_cron("0 5 * * *", "America/Sao_Paulo"), _MANUAL),
        source="google-ads-br", age_days=190,
    ),
    PipelineTemplate(
        "zendesk-to-catalog", "extractor",
        "Zendesk tickets and satisfaction ratings.",
        "singer", "tap-zendesk",
        ("tickets", "users", "organizations", "ticket_comments", "satisfaction_ratings"),
        (_cron("0 */2 * * *", "Europe/Lisbon"),),
        source="zendesk-support", age_days=150,
    ),
    PipelineTemplate(
        "shopify-to-catalog", "extractor",
        "Shopify orders, products and inventory for the AU store.",
        "singer", "tap-shopify",
        ("orders", "customers", "products", "inventory_levels", "transactions"),
        (_cron("0 3 * * *", "Australia/Sydney"), _MANUAL),
        source="shopify-au", age_days=122,
    ),
    PipelineTemplate(
        "mysql-erp-to-catalog", "extractor",
        "Legacy ERP (MySQL) invoices and suppliers. Paused while the ERP migration runs.",
        "singer", "tap-mysql", ("erp-invoices", "erp-suppliers", "erp-cost_centers"),
        (_MANUAL,),
        source="mysql-erp", active=False, age_days=700,
    ),
    PipelineTemplate(
        "daily-revenue-rollup", "transformation",
        "dbt: daily revenue, MRR and refunds by product line (analytics.fct_revenue_daily).",
        "dbt", "dbt",
        ("stg_orders", "stg_payments", "stg_refunds", "int_order_payments", "fct_revenue_daily",
         "fct_mrr", "dim_products", "dim_customers"),
        (_cron("30 2 * * 1-5", "Europe/Berlin"),),
        transformation="daily-revenue-rollup", output_table="analytics.fct_revenue_daily",
        age_days=260,
    ),
    PipelineTemplate(
        "customer-360", "transformation",
        "dbt: one row per customer joining CRM, billing and support data.",
        "dbt", "dbt",
        ("stg_hubspot_contacts", "stg_salesforce_accounts", "stg_zendesk_tickets",
         "int_customer_identities", "int_customer_billing", "customer_360"),
        (_event("hubspot-to-catalog.run.success", "salesforce-to-catalog.run.success"),),
        transformation="customer-360", output_table="analytics.customer_360",
        age_days=240,
    ),
    PipelineTemplate(
        "marketing-attribution", "transformation",
        "PySpark notebook: multi-touch attribution over ad spend and conversions.",
        "spark", "nekt.transform",
        ("raw_google_ads.campaign_performance_report", "raw_hubspot.deals", "analytics.touchpoints",
         "analytics.attribution_daily"),
        (_event("google-ads-to-catalog.run.success"),),
        transformation="marketing-attribution", output_table="analytics.attribution_daily",
        age_days=95,
    ),
    PipelineTemplate(
        "churn-features", "transformation",
        "SQL: weekly churn-model features for the data-science team.",
        "sql", "sql",
        ("features.usage_weekly", "features.billing_weekly", "features.support_weekly",
         "features.churn_training_set"),
        (_cron("0 6 * * 1", "America/Sao_Paulo"), _MANUAL),
        transformation="churn-features", output_table="features.churn_training_set",
        age_days=80,
    ),
    PipelineTemplate(
        "catalog-to-salesforce", "destination",
        "Reverse ETL: customer-360 health scores back into Salesforce accounts.",
        "reverse", "target-salesforce", ("Account", "Contact"),
        (_event("customer-360.run.success"),),
        destination="salesforce-eu", age_days=170,
    ),
    PipelineTemplate(
        "catalog-to-hubspot", "destination",
        "Reverse ETL: lifecycle stage and product usage into HubSpot contacts.",
        "reverse", "target-hubspot", ("contacts", "companies"),
        (_cron("45 */4 * * *", "America/Chicago"), _MANUAL),
        destination="hubspot-prod", age_days=140,
    ),
    PipelineTemplate(
        "catalog-to-bigquery", "destination",
        "Nightly copy of the analytics schema to BigQuery for the BI team.",
        "reverse", "target-bigquery", ("fct_revenue_daily", "customer_360", "attribution_daily"),
        (_cron("0 1 * * *", "Asia/Tokyo"),),
        destination="bigquery-bi", age_days=60,
    ),
    PipelineTemplate(
        "catalog-to-google-sheets", "destination",
        "Finance's budget-vs-actuals sheet, refreshed on request.",
        "reverse", "target-gsheets", ("budget_vs_actuals",),
        (_MANUAL,),
        destination="google-sheets-finance", age_days=45,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class UserTemplate:
    """A workspace member who can trigger runs by hand."""

    id: int
    first_name: str
    last_name: str
    email: str
    role: str
    has_picture: bool = True


USERS: tuple[UserTemplate, ...] = (
    UserTemplate(17, "Ana", "Souza", "ana.souza@example.com", "admin"),
    UserTemplate(23, "Bruno", "Lima", "bruno.lima@example.com", "member"),
    UserTemplate(42, "Emma", "Schulz", "emma.schulz@example.com", "member", has_picture=False),
    UserTemplate(58, "Diego", "Ferreira", "diego.ferreira@example.com", "viewer"),
)


@dataclass(frozen=True)
class TokenTemplate:
    """An API token that triggers runs from an orchestrator. Its value is fake."""

    description: str
    is_active: bool = True


TOKENS: tuple[TokenTemplate, ...] = (
    TokenTemplate("Airflow production DAG (etl_nightly)"),
    TokenTemplate("GitHub Actions: dbt CI"),
    TokenTemplate("Dagster sensor - marketing"),
)

#: The prefix of every simulated token value: recognisable in a leak test, never a real secret.
FAKE_TOKEN_PREFIX = "FAKE-SIMULATOR-TOKEN-"  # noqa: S105 - a marker, not a secret


def pipeline_by_slug(slug: str) -> PipelineTemplate:
    """The catalog pipeline called `slug` (KeyError if there is none)."""
    for tpl in PIPELINES:
        if tpl.slug == slug:
            return tpl
    raise KeyError(slug)
