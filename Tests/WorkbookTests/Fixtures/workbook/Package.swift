// swift-tools-version:6.1
// A fixture: netlab's tests look for this file next to lessons/ to find the package root.
// It is never built.
