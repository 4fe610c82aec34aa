/**
 * The built-in demo: both emulators, the sample company, a full sync and a comparison of both sides.
 */
export { startDemoEnvironment, runDemo, demoSettings, type DemoOptions, type DemoEnvironment, type DemoResult } from './demo';
export { compareStream, type SideComparison, type Sides } from './compare-sides';
export { compareReplicaStream, type ReplicaComparison } from './compare-replica';
