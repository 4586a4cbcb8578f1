package gpu

// TestDevice is testDevice for the external tests (package gpu_test).
var TestDevice = testDevice
