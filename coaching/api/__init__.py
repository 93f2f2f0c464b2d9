"""The JSON API (../shared/contract/API.md): DRF viewsets over the services and selectors, input
parsing, output shaping, the error mapping and the OpenAPI schema."""
