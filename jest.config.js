/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // synth of a cdk8s app takes a few hundred ms; keep headroom on a 2-core CI machine
  testTimeout: 60000,
  // The examples import the package by name, as users do.
  moduleNameMapper: {
    '^qdrant-stack$': '<rootDir>/src/index.ts',
    '^qdrant-stack/pulumi$': '<rootDir>/src/pulumi/docker-stack.ts',
  },
};
