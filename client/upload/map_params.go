package upload

// ValidateMapParams checks a map's name and access lists locally, as
// PublishMap and UpdateMap do, so that a command can refuse bad input
// before it resolves credentials or sends anything.
func ValidateMapParams(p MapParams) error { return checkMapParams(p) }
