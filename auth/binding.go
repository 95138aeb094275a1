package auth

// Binding is where the stored set read by ResolveCredentials may be sent.
// Refreshes keep it (mergeToken copies the set).
func (s *StoredSource) Binding() Binding {
	if ts := s.cached.Load(); ts != nil {
		return ts.Binding()
	}
	return Binding{}
}
