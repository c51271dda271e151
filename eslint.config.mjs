import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/** Lint rules for the whole repository; formatting is Prettier's (eslint-config-prettier turns off the rules it owns). */
export default defineConfig(
  { ignores: ['node_modules/', '.data/', 'coverage/', 'docs/', 'views/public/js/agent-console.js', 'views/public/js/chat-customer.js'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Listener signatures of event emitters take any arguments.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
    },
  },
  {
    files: ['views/public/**/*.js', 'views/public/**/*.mjs', 'client/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, io: 'readonly', bootstrap: 'readonly' } },
  },
  prettier,
);
