import '../../shared/polyfills';
