//! The MCP edge: rmcp handler, tools, HTTP routes.
