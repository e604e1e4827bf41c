/** @type {import('tailwindcss').Config} */
module.exports = {
  // Class names are scanned in the templ sources and in hand-written Go code
  // of the views (helpers that pick classes, e.g. status badges). Generated
  // *_templ.go files only repeat what is in the .templ files.
  content: ['./components/**/*.templ', './components/**/!(*_templ).go', './web/**/*.go'],
  // Component classes defined in static/css/input.css. They are kept even if
  // no template uses them yet, so the CSS a template relies on is always there.
  safelist: [
    'btn',
    'btn-secondary',
    'btn-link',
    'card',
    'input',
    'label',
    'field-error',
    'badge',
    'table-th',
    'table-td',
  ],
  theme: {
    extend: {
      colors: {
        // Sober navy/teal: the portal's primary colour. brand-700 on white and
        // white on brand-700 both pass WCAG AA for normal text.
        brand: {
          50: '#f0f7fa',
          100: '#d9ecf2',
          200: '#b7d9e6',
          300: '#85bdd3',
          400: '#4d98b7',
          500: '#327c9d',
          600: '#2b6485',
          700: '#28526d',
          800: '#26465b',
          900: '#1f3a4c',
          950: '#132533',
        },
      },
    },
  },
  plugins: [require('@tailwindcss/forms')],
};
