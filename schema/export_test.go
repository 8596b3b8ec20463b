package schema

// CompareTreeDecode is compareTreeDecode for the tests of package
// schema_test, which may import internal/casegen (it imports schema).
var CompareTreeDecode = compareTreeDecode

// ListAtLeast is listAtLeast, for the tests of package schema_test.
var ListAtLeast = &listAtLeast
