import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import * as ElementPlusIconsVue from '@element-plus/icons-vue';
import App from './App.vue';
import router from './router';
import { i18n, currentLocale } from './i18n';
import './styles/main.css';

const app = createApp(App);
for (const [key, component] of Object.entries(ElementPlusIconsVue)) app.component(key, component);
app.use(createPinia());
app.use(i18n);
app.use(ElementPlus);
app.use(router);
document.documentElement.setAttribute('lang', currentLocale());
app.mount('#app');
