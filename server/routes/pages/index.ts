import { Router } from 'express';
import { mount } from '../define.js';
import { authRoutes } from './auth.js';
import { consoleRoutes } from './consoles.js';
import { adminRoutes } from './admin.js';
import { profileRoutes } from './profile.js';
import { customerPageRoutes } from './customers.js';
import { tagPageRoutes } from './tags.js';

export function pagesRouter(): Router {
  return mount(Router(), 'page', [...authRoutes, ...consoleRoutes, ...customerPageRoutes, ...tagPageRoutes, ...adminRoutes, ...profileRoutes]);
}
