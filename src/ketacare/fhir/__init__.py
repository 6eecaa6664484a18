"""Pure mappers from loaded data to FHIR R4(B) resources, and back for imports."""
